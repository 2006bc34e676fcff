/**
 * A response as the guarded `HttpClient` hands it on: the upstream's status and headers, and a
 * body read under the request's limits. A streamed body is the guarded stream of its network
 * reads; any other body (a non-streamed answer, an error body) is bounded as a whole.
 *
 * Why a class that delegates: `HttpClientResponse` is an interface with no constructor for "this
 * response, with another body" short of going through a web `Response` (a second stream bridge per
 * read); the platform's own `InterruptibleResponse` wraps a response the same way.
 *
 * @internal
 */
import type * as Cookies from "@effect/platform/Cookies"
import type * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import type * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import type * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** Bounds an effect that reads a whole body. */
export type Bound = <A>(
  read: Effect.Effect<A, HttpClientError.ResponseError>
) => Effect.Effect<A, HttpClientError.ResponseError>

/**
 * The response with `stream` as its body: `text`, `json` and `arrayBuffer` read that stream.
 * Every other body read of a non-streamed answer goes through `bound`.
 */
export class GuardedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId

  constructor(
    readonly original: HttpClientResponse.HttpClientResponse,
    readonly body: { readonly _tag: "Stream"; readonly stream: Stream.Stream<Uint8Array, any> } | {
      readonly _tag: "Whole"
      readonly bound: Bound
    }
  ) {
    super()
  }

  get request(): HttpClientRequest.HttpClientRequest {
    return this.original.request
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
  // The guarded stream fails with StreamGuard's own typed errors (a timeout, an error signal), which
  // pass through @effect/ai untouched; the platform's type has no room for them.
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.body._tag === "Stream" ? this.body.stream : Stream.unwrap(this.body.bound(
      Effect.map(this.original.arrayBuffer, (buffer) => Stream.make(new Uint8Array(buffer)))
    ))
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    if (this.body._tag === "Whole") return this.body.bound(this.original.arrayBuffer)
    return Effect.map(Stream.runCollect(this.body.stream), (chunks) => {
      const all = new Uint8Array(Array.from(chunks).reduce((n, bytes) => n + bytes.length, 0))
      let at = 0
      for (const bytes of chunks) {
        all.set(bytes, at)
        at += bytes.length
      }
      return all.buffer
    })
  }
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    if (this.body._tag === "Whole") return this.body.bound(this.original.text)
    return Effect.map(this.arrayBuffer, (buffer) => new TextDecoder().decode(buffer))
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    if (this.body._tag === "Whole") return this.body.bound(this.original.json)
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: (cause) =>
          new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
      }))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return this.body._tag === "Whole" ? this.body.bound(this.original.urlParamsBody) : this.original.urlParamsBody
  }
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return this.body._tag === "Whole" ? this.body.bound(this.original.formData) : this.original.formData
  }
  toJSON(): unknown {
    return this.original.toJSON()
  }
}
