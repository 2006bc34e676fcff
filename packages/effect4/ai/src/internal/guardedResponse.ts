/**
 * A response as the guarded `HttpClient` hands it on: the upstream's status and headers, and a
 * body read under the request's limits. A streamed body is the guarded stream of its network
 * reads; any other body (a non-streamed answer, an error body) is bounded as a whole.
 *
 * Why a class that delegates: `HttpClientResponse` is an interface with no constructor for "this
 * response, with another body" short of going through a web `Response` (a second stream bridge per
 * read).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Cookies from "effect/http/Cookies"
import type * as Headers from "effect/http/Headers"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import type * as UrlParams from "effect/http/UrlParams"
import * as Inspectable from "effect/Inspectable"
import type * as Option from "effect/Option"
import * as Pipeable from "effect/Pipeable"
import type * as Schema from "effect/Schema"
import type * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"

/** Bounds an effect that reads a whole body. */
export type Bound = <A>(
  read: Effect.Effect<A, HttpClientError.HttpClientError>
) => Effect.Effect<A, HttpClientError.HttpClientError>

/** The guarded body: the guarded stream of a streamed answer, or the bound of a whole one. */
export type Body =
  | { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, any> }
  | { readonly _tag: "Whole"; readonly bound: Bound }

/**
 * The response with the guarded `body`: `text`, `json` and `arrayBuffer` of a streamed answer read
 * its guarded stream; every body read of a whole answer goes through its bound.
 */
export class GuardedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId

  constructor(readonly original: HttpClientResponse.HttpClientResponse, readonly body: Body) {
    super()
  }

  get request(): HttpClientRequest.HttpClientRequest {
    return this.original.request
  }
  get url(): string {
    return this.original.url
  }
  get status(): number {
    return this.original.status
  }
  get headers(): Headers.Headers {
    return this.original.headers
  }
  get cookies(): Cookies.Cookies {
    return this.original.cookies
  }
  get remoteAddress(): Option.Option<string> {
    return this.original.remoteAddress
  }
  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
    return this.original.upgrade
  }
  // The guarded stream fails with StreamGuard's own typed errors (a timeout, an error signal), which
  // pass through effect/ai untouched; the HttpClient's type has no room for them.
  get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    return this.body._tag === "Stream" ? this.body.stream : Stream.unwrap(this.body.bound(
      Effect.map(this.original.arrayBuffer, (buffer) => Stream.make(new Uint8Array(buffer)))
    ))
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    if (this.body._tag === "Whole") return this.body.bound(this.original.arrayBuffer)
    return Stream.mkArrayBuffer(this.body.stream)
  }
  get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    if (this.body._tag === "Whole") return this.body.bound(this.original.text)
    return Effect.map(this.arrayBuffer, (buffer) => new TextDecoder().decode(buffer))
  }
  get json(): Effect.Effect<Schema.Json, HttpClientError.HttpClientError> {
    if (this.body._tag === "Whole") return this.body.bound(this.original.json)
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : JSON.parse(text)) as Schema.Json,
        catch: (cause) =>
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.DecodeError({ request: this.request, response: this, cause })
          })
      }))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.HttpClientError> {
    return this.body._tag === "Whole" ? this.body.bound(this.original.urlParamsBody) : this.original.urlParamsBody
  }
  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    return this.body._tag === "Whole" ? this.body.bound(this.original.formData) : this.original.formData
  }
  toJSON(): unknown {
    return this.original.toJSON()
  }
  // Effect's own pipe, shared with every Pipeable.
  readonly pipe: Pipeable.Pipeable["pipe"] = Pipeable.Prototype.pipe
}
