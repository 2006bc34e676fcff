/**
 * An HTTP response held in memory, for the in-memory upstream's `HttpClient`.
 */
import * as Effect from "effect/Effect"
import * as Cookies from "effect/http/Cookies"
import * as Headers from "effect/http/Headers"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as UrlParams from "effect/http/UrlParams"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"

const decoder = new TextDecoder()

/** The pieces of a body, as one array. */
const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

/** A request's body as UTF-8 text (`""` without one, or when its stream fails). */
export const bodyText = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<string> => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return Effect.succeed(typeof body.body === "string" ? body.body : "")
    case "Stream":
      return body.stream.pipe(
        Stream.runCollect,
        Effect.map((chunks) => decoder.decode(concat(chunks))),
        Effect.orElseSucceed(() => "")
      )
    default:
      return Effect.succeed("")
  }
}

/**
 * A response held in memory. `fromWeb` would need a web `ReadableStream`, whose promise hops
 * `TestClock` cannot see; this one's body is an Effect stream, paced by the Clock.
 */
export class MemoryResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly cookies = Cookies.empty
  readonly remoteAddress = Option.none<string>()
  readonly headers: Headers.Headers
  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    headers: Readonly<Record<string, string>>,
    private readonly body: (self: MemoryResponse) => Stream.Stream<Uint8Array, HttpClientError.HttpClientError>
  ) {
    super()
    this.headers = Headers.fromInput(headers)
  }
  get url(): string {
    return this.request.url
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    return this.body(this)
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    return Effect.map(Stream.runCollect(this.stream), (chunks) => concat(chunks).slice().buffer)
  }
  get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    return Effect.map(Stream.runCollect(this.stream), (chunks) => decoder.decode(concat(chunks)))
  }
  get json(): Effect.Effect<Schema.Json, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: (): Schema.Json => JSON.parse(text),
        catch: () => this.decodeError("the body is not JSON")
      }))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.HttpClientError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }
  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    return Effect.fail(this.decodeError("a test upstream answers no form data"))
  }
  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
    return Effect.fail(this.decodeError("a test upstream hands over no connection"))
  }
  decodeError(description: string, cause?: unknown): HttpClientError.HttpClientError {
    return new HttpClientError.HttpClientError({
      reason: new HttpClientError.DecodeError({ request: this.request, response: this, description, cause })
    })
  }
  toJSON(): unknown {
    return { _id: "@streamguard/testing/TestUpstream/Response", status: this.status, url: this.request.url }
  }
  pipe(...fns: ReadonlyArray<(_: unknown) => unknown>): unknown {
    return fns.reduce((value: unknown, f) => f(value), this)
  }
}
