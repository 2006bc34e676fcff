/**
 * Reading and checking a request body: JSON by its content type (415 for another type; none
 * given is taken as JSON), at most `maxBodyBytes` (413), valid UTF-8 and JSON (400), the
 * endpoint's schema (400 naming the bad field's path). A client mistake is never a 500.
 *
 * @since 0.1.0
 */
import { HttpServerRequest } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { ParseIssues } from "@streamguard/core-effect3"
import type { ParseResult } from "effect"
import { Effect, Schema } from "effect"
import type * as Http from "node:http"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { lingerOnClose } from "./internal/lingeringClose.js"

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
 * Reads at most `maxBytes` of the body, counting bytes as they arrive, chunked or not. A
 * `content-length` over the limit is refused before reading; a body that grows past it is refused
 * as soon as it does, and reading stops there: the rest is never read, the request is left as it
 * is (not destroyed, so the 413 reaches the client before its connection closes).
 *
 * @since 0.1.0
 * @category reading
 */
export const readBytes = (
  maxBytes: number
): Effect.Effect<Uint8Array, ErrorResponse.GatewayError, HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const declared = Number(request.headers["content-length"] ?? "0")
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    if (declared > maxBytes) {
      lingerOnClose(source)
      return Effect.fail(ErrorResponse.tooLarge(maxBytes))
    }
    return readLimited(source, maxBytes)
  })

// The platform's body stream destroys the request when its reader stops early, which resets the
// connection before the 413 is written: read the Node request directly, and only pause it.
const readLimited = (source: Http.IncomingMessage, maxBytes: number) =>
  Effect.async<Uint8Array, ErrorResponse.GatewayError>((resume) => {
    const parts: Array<Uint8Array> = []
    let size = 0
    const stop = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.off("close", onClose)
    }
    const onData = (part: Buffer) => {
      size += part.length
      if (size > maxBytes) {
        stop()
        source.pause()
        lingerOnClose(source)
        resume(Effect.fail(ErrorResponse.tooLarge(maxBytes)))
        return
      }
      parts.push(part)
    }
    const onEnd = () => {
      stop()
      resume(Effect.succeed(concat(parts, size)))
    }
    const onError = () => {
      stop()
      resume(Effect.fail(ErrorResponse.badRequest("could not read the request body")))
    }
    // Closed before its end: the client left mid-body.
    const onClose = () => {
      if (!source.complete) onError()
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onError)
    source.on("close", onClose)
    return Effect.sync(() => {
      stop()
      source.pause()
    })
  })

// The message names every value a literal union allows, with no `| undefined` alternative.
const firstIssue = (error: ParseResult.ParseError): { readonly path: string; readonly message: string } => {
  const issue = ParseIssues.issues(error)[0]
  return issue === undefined
    ? { path: "", message: error.message }
    : { path: issue.keys.map(String).join("."), message: issue.message }
}

// Fatal: invalid UTF-8 is refused, not replaced with U+FFFD and forwarded as if it were text.
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** `application/json` or any `+json` type, with parameters (`; charset=utf-8`) or not. */
const isJson = (contentType: string): boolean => {
  const type = contentType.split(";")[0]!.trim().toLowerCase()
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"))
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
    const request = yield* HttpServerRequest.HttpServerRequest
    const contentType = request.headers["content-type"]
    if (contentType !== undefined && !isJson(contentType)) {
      return yield* ErrorResponse.unsupportedMediaType(contentType)
    }
    const raw = yield* readBytes(maxBytes)
    const text = yield* Effect.try({
      try: () => utf8.decode(raw),
      catch: () => ErrorResponse.badRequest("invalid JSON body: the body is not valid UTF-8")
    })
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
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
