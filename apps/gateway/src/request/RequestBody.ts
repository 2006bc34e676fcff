/**
 * Reading and checking a request body: JSON by its content type (415 for another type; none
 * given is taken as JSON), at most `maxBodyBytes` (413), valid UTF-8 and JSON (400), the
 * endpoint's shape (400 naming the bad field's path). A client mistake is never a 500.
 *
 * @since 0.1.0
 */
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Effect, Result } from "effect"
import { HttpServerRequest } from "effect/http/HttpServerRequest"
import type * as Http from "node:http"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { formatValue } from "../config/internal/schemaIssues.js"
import { lingerOnClose } from "./internal/lingeringClose.js"

/**
 * A body's mistake: the field at fault (`messages.0.role`; empty for the body as a whole) and what
 * is wrong with it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mistake {
  readonly path: string
  readonly message: string
}

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

/** One field's check: nothing when its value is fine, else the mistake (at `path` or under it). */
type Check = (value: unknown, path: string) => Mistake | undefined

interface Field {
  readonly name: string
  readonly optional: boolean
  readonly check: Check
}

/**
 * What the gateway needs to know of an endpoint's body, checked field by field in order, the
 * first mistake refused; other fields pass through unchecked. Written by hand, not a `Schema`
 * decode: it runs once per request over bodies of up to `maxBodyBytes` (every message of a long
 * chat), and it needs no decoded copy of them, only a yes or the first mistake, in the words the
 * gateway's 400s have always had (`messages.0.role: Expected string, actual 7`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Shape<A extends Body> {
  /** The body's type as a refusal names it when the body is not even an object. */
  readonly signature: string
  readonly fields: ReadonlyArray<Field>
  /** The body's checked type (for the types only). */
  readonly Type?: A
}

const expected = (what: string, value: unknown, path: string): Mistake => ({
  path,
  message: `Expected ${what}, actual ${formatValue(value)}`
})

/** An object with keys, as JSON has them (not an array, not `null`). */
const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const nonEmptyTrimmed: Check = (value, path) =>
  typeof value !== "string"
    ? expected("string", value, path)
    : value.trim() !== value
    ? expected("a string with no leading or trailing whitespace", value, path)
    : value.length === 0
    ? expected("a non empty string", value, path)
    : undefined

const positiveInt: Check = (value, path) =>
  typeof value !== "number"
    ? expected("number", value, path)
    : !Number.isSafeInteger(value)
    ? expected("an integer", value, path)
    : value <= 0
    ? expected("a positive number", value, path)
    : undefined

const booleanOrNull: Check = (value, path) =>
  typeof value === "boolean" || value === null
    ? undefined
    : { path, message: `Expected boolean, actual ${formatValue(value)} or Expected null, actual ${formatValue(value)}` }

const textOrList: Check = (value, path) =>
  typeof value === "string" || Array.isArray(value)
    ? undefined
    : {
      path,
      message: `Expected string, actual ${formatValue(value)} or Expected ReadonlyArray<unknown>, actual ${
        formatValue(value)
      }`
    }

/** `messages`: a list of objects, each with a text `role`. */
const messageList: Check = (value, path) => {
  if (!Array.isArray(value)) return expected("ReadonlyArray<{ readonly role: string }>", value, path)
  for (let index = 0; index < value.length; index++) {
    const message: unknown = value[index]
    const at = `${path}.${index}`
    if (!isRecord(message)) return expected("{ readonly role: string }", message, at)
    if (!Object.hasOwn(message, "role")) return { path: `${at}.role`, message: "is missing" }
    if (typeof message["role"] !== "string") return expected("string", message["role"], `${at}.role`)
  }
  return undefined
}

const field = (name: string, check: Check, optional = false): Field => ({ name, optional, check })

/**
 * `POST /v1/chat/completions`: what the gateway needs to know; other fields pass through unchecked.
 *
 * @since 0.1.0
 * @category shapes
 */
export const ChatBody: Shape<Body> = {
  signature: "{ readonly model: NonEmptyTrimmedString; readonly messages: ReadonlyArray<{ readonly role: string }>; " +
    "readonly stream?: boolean | null | undefined }",
  fields: [field("model", nonEmptyTrimmed), field("messages", messageList), field("stream", booleanOrNull, true)]
}

/**
 * `POST /v1/responses`.
 *
 * @since 0.1.0
 * @category shapes
 */
export const ResponsesBody: Shape<Body> = {
  signature: "{ readonly model: NonEmptyTrimmedString; readonly input?: string | ReadonlyArray<unknown> | undefined; " +
    "readonly stream?: boolean | null | undefined }",
  fields: [field("model", nonEmptyTrimmed), field("input", textOrList, true), field("stream", booleanOrNull, true)]
}

/**
 * `POST /v1/messages` (Anthropic).
 *
 * @since 0.1.0
 * @category shapes
 */
export const MessagesBody: Shape<Body> = {
  signature: "{ readonly model: NonEmptyTrimmedString; readonly messages: ReadonlyArray<{ readonly role: string }>; " +
    "readonly max_tokens: Int & positive; readonly stream?: boolean | null | undefined }",
  fields: [
    field("model", nonEmptyTrimmed),
    field("messages", messageList),
    field("max_tokens", positiveInt),
    field("stream", booleanOrNull, true)
  ]
}

/**
 * A parsed JSON body checked against `shape`: the body, or its first mistake.
 *
 * @since 0.1.0
 * @category reading
 */
export const check = <A extends Body>(shape: Shape<A>, json: unknown): Result.Result<A, Mistake> => {
  if (!isRecord(json)) return Result.fail(expected(shape.signature, json, ""))
  for (const { check, name, optional } of shape.fields) {
    if (!Object.hasOwn(json, name)) {
      if (optional) continue
      return Result.fail({ path: name, message: "is missing" })
    }
    const mistake = check(json[name], name)
    if (mistake !== undefined) return Result.fail(mistake)
  }
  return Result.succeed(json as unknown as A)
}

/**
 * A checked body: the bytes as received (forwarded unchanged) and their JSON, checked.
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
 * as soon as it does. Either way the rest is dropped as it arrives, never kept (see
 * `internal/lingeringClose`), and the request is not destroyed, so the 413 reaches the client before
 * its connection closes.
 *
 * @since 0.1.0
 * @category reading
 */
export const readBytes = (
  maxBytes: number
): Effect.Effect<Uint8Array, ErrorResponse.GatewayError, HttpServerRequest> =>
  Effect.flatMap(Effect.service(HttpServerRequest), (request) => bytesOf(request, maxBytes))

const bytesOf = (
  request: HttpServerRequest,
  maxBytes: number
): Effect.Effect<Uint8Array, ErrorResponse.GatewayError> => {
  const declared = Number(request.headers["content-length"] ?? "0")
  const source = NodeHttpServerRequest.toIncomingMessage(request) as Http.IncomingMessage
  if (declared > maxBytes) {
    lingerOnClose(source)
    return Effect.fail(ErrorResponse.tooLarge(maxBytes))
  }
  continueIfAsked(source, NodeHttpServerRequest.toServerResponse(request) as Http.ServerResponse)
  return readLimited(source, maxBytes)
}

/**
 * A client that sent `expect: 100-continue` (curl does for larger bodies) waits for it before its
 * body. Effect's Node server leaves it to whoever reads the body, and the body is read here, from
 * the Node request.
 */
const continueIfAsked = (source: Http.IncomingMessage, response: Http.ServerResponse): void => {
  if (/^100-continue$/i.test(source.headers.expect ?? "") && !response.headersSent) response.writeContinue()
}

// Read from the Node request directly, with plain listeners: once per request, no stream or fiber
// of its own, and over the limit it stops at once without destroying the request.
const readLimited = (source: Http.IncomingMessage, maxBytes: number) =>
  Effect.callback<Uint8Array, ErrorResponse.GatewayError>((resume) => {
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

// Fatal: invalid UTF-8 is refused, not replaced with U+FFFD and forwarded as if it were text.
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** `application/json` or any `+json` type, with parameters (`; charset=utf-8`) or not. */
const isJson = (contentType: string): boolean => {
  const type = contentType.split(";")[0]!.trim().toLowerCase()
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"))
}

/** A body's mistake as its 400 says it. */
const refusal = (mistake: Mistake): ErrorResponse.GatewayError =>
  mistake.path === "model" && mistake.message === "is missing"
    ? ErrorResponse.badRequest("missing model: the body must name a `model`", "model")
    : mistake.path === ""
    ? ErrorResponse.badRequest(`invalid body: ${mistake.message}`)
    : ErrorResponse.badRequest(`invalid body at ${mistake.path}: ${mistake.message}`, mistake.path)

/**
 * Reads, parses and checks the body against `shape`.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = <A extends Body>(
  shape: Shape<A>,
  maxBytes: number
): Effect.Effect<Checked<A>, ErrorResponse.GatewayError, HttpServerRequest> =>
  // Once per request: the effects are only the request's lookup and the read; the rest is plain.
  Effect.flatMap(Effect.service(HttpServerRequest), (request) => {
    const contentType = request.headers["content-type"]
    if (contentType !== undefined && !isJson(contentType)) {
      return Effect.fail(ErrorResponse.unsupportedMediaType(contentType))
    }
    return Effect.flatMap(bytesOf(request, maxBytes), (raw) => {
      const checked = parse(shape, raw)
      return Result.isSuccess(checked) ? Effect.succeed(checked.success) : Effect.fail(checked.failure)
    })
  })

/** The body's bytes as UTF-8, as JSON, checked against `shape`: the body, or the 400 that refuses it. */
const parse = <A extends Body>(
  shape: Shape<A>,
  raw: Uint8Array
): Result.Result<Checked<A>, ErrorResponse.GatewayError> => {
  let text: string
  try {
    text = utf8.decode(raw)
  } catch {
    return Result.fail(ErrorResponse.badRequest("invalid JSON body: the body is not valid UTF-8"))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Result.fail(
      ErrorResponse.badRequest(`invalid JSON body: ${error instanceof Error ? error.message : String(error)}`)
    )
  }
  const body = check(shape, json)
  return Result.isFailure(body) ? Result.fail(refusal(body.failure)) : Result.succeed({ raw, body: body.success })
}
