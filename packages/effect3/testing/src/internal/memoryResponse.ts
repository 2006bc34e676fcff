/**
 * An HTTP response held in memory, for the in-memory upstream's `HttpClient`.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

const decoder = new TextDecoder()

/** The pieces of a body, as one array. */
export const concat = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(Chunk.reduce(chunks, 0, (n, chunk) => n + chunk.length))
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

/** `JSON.parse`, `None` when the text is not JSON. */
export const parseJson = Option.liftThrowable((text: string): unknown => JSON.parse(text))

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
 * A response held in memory. The platform's `fromWeb` would need a web `ReadableStream`, whose
 * promise hops `TestClock` cannot see; this one's body is an Effect stream, paced by the Clock.
 */
export class MemoryResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly cookies = Cookies.empty
  readonly remoteAddress = Option.none<string>()
  readonly headers: Headers.Headers
  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    headers: Readonly<Record<string, string>>,
    private readonly body: (self: MemoryResponse) => Stream.Stream<Uint8Array, HttpClientError.ResponseError>
  ) {
    super()
    this.headers = Headers.fromInput(headers)
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.body(this)
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(Stream.runCollect(this.stream), (chunks) => concat(chunks).slice().buffer)
  }
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(Stream.runCollect(this.stream), (chunks) => decoder.decode(concat(chunks)))
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Option.match(parseJson(text), {
        onNone: () => Effect.fail(this.decodeError("the body is not JSON")),
        onSome: Effect.succeed
      }))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.fail(this.decodeError("a test upstream answers no form data"))
  }
  decodeError(description: string, cause?: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      description,
      cause
    })
  }
  toJSON(): unknown {
    return { _id: "@streamguard/testing/TestUpstream/Response", status: this.status, url: this.request.url }
  }
}
