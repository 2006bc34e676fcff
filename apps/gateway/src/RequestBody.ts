/**
 * Reading and checking a request body: at most `maxBodyBytes` (413), valid JSON (400), the
 * endpoint's schema (400 naming the bad field's path). A client mistake is never a 500.
 *
 * @since 0.1.0
 */
import { HttpServerRequest } from "@effect/platform"
import { Effect, ParseResult, Schema, Stream } from "effect"
import * as ErrorResponse from "./ErrorResponse.js"

const Message = Schema.Struct({ role: Schema.String })

/**
 * `POST /v1/chat/completions`: what the gateway needs to know; other fields pass through unchecked.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatBody = Schema.Struct({
  model: Schema.NonEmptyTrimmedString,
  messages: Schema.Array(Message),
  stream: Schema.optional(Schema.NullOr(Schema.Boolean))
})

/**
 * `POST /v1/responses`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponsesBody = Schema.Struct({
  model: Schema.NonEmptyTrimmedString,
  input: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.Unknown))),
  stream: Schema.optional(Schema.NullOr(Schema.Boolean))
})

/**
 * `POST /v1/messages` (Anthropic).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessagesBody = Schema.Struct({
  model: Schema.NonEmptyTrimmedString,
  messages: Schema.Array(Message),
  max_tokens: Schema.Int.pipe(Schema.positive()),
  stream: Schema.optional(Schema.NullOr(Schema.Boolean))
})

/**
 * What every endpoint's body has.
 *
 * @since 0.1.0
 * @category models
 */
export interface Body {
  readonly model: string
  readonly stream?: boolean | null | undefined
}

/**
 * A checked body: the bytes as received (forwarded unchanged) and the decoded fields.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checked<A> {
  readonly raw: Uint8Array
  readonly body: A
}

const concat = (parts: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  const out = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/**
 * Reads at most `maxBytes` of the body. A `content-length` over the limit is refused before
 * reading; a body that grows past it is cut as soon as it does.
 *
 * @since 0.1.0
 * @category reading
 */
export const readBytes = (
  maxBytes: number
): Effect.Effect<Uint8Array, ErrorResponse.GatewayError, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const declared = Number(request.headers["content-length"] ?? "0")
    if (declared > maxBytes) return yield* ErrorResponse.tooLarge(maxBytes)
    const parts: Array<Uint8Array> = []
    let size = 0
    yield* request.stream.pipe(
      Stream.mapError(() => ErrorResponse.badRequest("could not read the request body")),
      Stream.runForEachWhile((part) => {
        size += part.length
        if (size > maxBytes) return Effect.fail(ErrorResponse.tooLarge(maxBytes))
        parts.push(part)
        return Effect.succeed(true)
      })
    )
    return concat(parts, size)
  })

const firstIssue = (error: ParseResult.ParseError): { readonly path: string; readonly message: string } => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  return issue === undefined
    ? { path: "", message: error.message }
    : { path: issue.path.map(String).join("."), message: issue.message }
}

/**
 * Reads, parses and decodes the body with `schema`.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = <A extends Body, I>(
  schema: Schema.Schema<A, I>,
  maxBytes: number
): Effect.Effect<Checked<A>, ErrorResponse.GatewayError, HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const raw = yield* readBytes(maxBytes)
    const json = yield* Effect.try({
      try: () => JSON.parse(new TextDecoder().decode(raw)) as unknown,
      catch: (error) =>
        ErrorResponse.badRequest(`invalid JSON body: ${error instanceof Error ? error.message : String(error)}`)
    })
    const body = yield* Schema.decodeUnknown(schema)(json).pipe(
      Effect.mapError((error) => {
        const issue = firstIssue(error)
        if (issue.path === "model" && issue.message === "is missing") {
          return ErrorResponse.badRequest("missing model: the body must name a `model`", "model")
        }
        return ErrorResponse.badRequest(
          issue.path === "" ? `invalid body: ${issue.message}` : `invalid body at ${issue.path}: ${issue.message}`,
          issue.path === "" ? undefined : issue.path
        )
      })
    )
    return { raw, body }
  })
