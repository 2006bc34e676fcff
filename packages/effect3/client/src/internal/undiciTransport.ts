/**
 * HTTP on undici's `dispatch()`: the client's fast path. One handler object per attempt receives
 * undici's callbacks and reports straight to the guard's feed: the phases as the request is
 * connected, written and answered, then each network read decoded synchronously into events. No
 * Readable, no stream pump, no Effect per read; the socket is destroyed synchronously when the
 * guard decides the end.
 *
 * Why undici's classic handler interface (`onConnect`, `onHeaders`, `onData`, ...): it is the one
 * undici's dispatchers speak natively, and the only one that reports `onRequestSent` (the end of
 * the `write` phase); a newer-style handler is adapted to it and loses that call.
 *
 * @internal
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as UrlParams from "@effect/platform/UrlParams"
import type * as StreamEvent from "@streamguard/core-effect3/StreamEvent"
import type * as Dialect from "@streamguard/protocols-effect3/Dialect"
import { fromFailure } from "@streamguard/protocols-effect3/ProtocolError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Readable } from "node:stream"
import type { Dispatcher } from "undici"
import { BatchResponse } from "../BatchResponse.js"
import type { AttemptError } from "../ClientError.js"
import { TransportError } from "../ClientError.js"
import type { Attempt, Transport } from "./transport.js"
import { Excerpt, transportError } from "./upstream.js"

/** A body given as bytes is handed to undici in pieces of this size, so that `write` sees backpressure. */
const bodyPieceBytes = 16 * 1024

const piecewise = async function*(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += bodyPieceBytes) yield bytes.subarray(at, at + bodyPieceBytes)
}

type Body = NonNullable<Dispatcher.DispatchOptions["body"]> | null

const bodyOf = (body: HttpBody.HttpBody): Effect.Effect<Body> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(null)
    case "Uint8Array":
      return Effect.succeed(body.body.length > bodyPieceBytes ? Readable.from(piecewise(body.body)) : body.body)
    case "Raw":
      return Effect.succeed(body.body as Body)
    case "FormData":
      return Effect.succeed(body.formData as unknown as Body)
    case "Stream":
      return NodeStream.toReadable(body.stream)
  }
}

const headersOf = (raw: ReadonlyArray<Buffer>): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1").toLowerCase()
    const value = raw[i + 1]!.toString("latin1")
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return headers
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300

type Settle<A> = (effect: Effect.Effect<A, AttemptError>) => void

/**
 * One attempt's handler. `mode` says what a 2xx answer is: a stream decoded into the feed, or a
 * body read whole. A non-2xx answer is read into an error excerpt, bounded in size and time.
 */
class Exchange<A, R> {
  private abortRequest: ((error: Error) => void) | undefined = undefined
  private aborted = false
  private resumeReading: (() => void) | undefined = undefined
  private state: "waiting" | "streaming" | "error" | "body" | "ended" = "waiting"
  private status = 0
  private headers: Record<string, string> = {}
  private excerpt: Excerpt | undefined = undefined
  /** An error answer's excerpt may take its time, but not forever. */
  private excerptTimer: ReturnType<typeof setTimeout> | undefined = undefined
  private body: Array<Uint8Array> | undefined = undefined
  private readonly out: Array<StreamEvent.StreamEvent<A>> = []
  /** The attempt's fiber, parked until the answer is known; resumed once. */
  private settle: Settle<R> | undefined

  constructor(
    private readonly attempt: Attempt<A>,
    private readonly decoder: Dialect.Decoder<A> | undefined,
    private readonly toResult: (exchange: Exchange<A, R>) => R,
    settle: Settle<R>
  ) {
    this.settle = settle
  }

  private done(effect: Effect.Effect<R, AttemptError>): void {
    const settle = this.settle
    this.settle = undefined
    settle?.(effect)
  }

  // The guard's controls (`Guard.Control`): this object is its own, no closures per attempt.

  /** Destroys the connection (or the request, still queued for one). */
  abort(): void {
    if (this.aborted || this.state === "ended") return
    this.aborted = true
    clearTimeout(this.excerptTimer)
    this.abortRequest?.(new Error("aborted by StreamGuard"))
  }

  /** Pausing is `onData` returning `false`. */
  pause(): void {}

  resume(): void {
    const resume = this.resumeReading
    if (resume !== undefined && this.state === "streaming") resume()
  }

  /**
   * The upstream said it is done: a response that completes in the same read (its end usually
   * arrives with the done frame) leaves its connection to undici's pool; one that does not is
   * aborted on the next turn of the event loop.
   */
  release(): void {
    if (this.state === "ended" || this.aborted) return
    setImmediate(() => this.abort())
  }

  onConnect(abort: (error: Error) => void): void {
    if (this.aborted) return abort(new Error("aborted by StreamGuard"))
    this.abortRequest = abort
    this.attempt.feed.phase("write")
  }

  onRequestSent(): void {
    if (this.state === "waiting") this.attempt.feed.phase("headers")
  }

  onBodySent(): void {}

  onResponseStarted(): void {}

  onUpgrade(): void {
    this.onError(new Error("the upstream upgraded the connection"))
  }

  onHeaders(status: number, raw: Array<Buffer>, resume: () => void): boolean {
    if (this.state !== "waiting") return true
    this.resumeReading = resume
    this.status = status
    if (isSuccess(status) && this.decoder !== undefined) {
      this.state = "streaming"
      this.attempt.feed.opened()
      this.done(Effect.succeed(undefined as R))
      return true
    }
    this.headers = headersOf(raw)
    if (isSuccess(status)) {
      this.state = "body"
      this.body = []
    } else {
      this.state = "error"
      this.excerpt = new Excerpt()
      this.excerptTimer = setTimeout(() => this.answerError(), Duration.toMillis(this.attempt.excerptWithin))
    }
    return true
  }

  onData(chunk: Buffer): boolean {
    switch (this.state) {
      case "streaming": {
        const out = this.out
        const failure = this.decoder!.push(chunk, out)
        const more = out.length === 0 ? true : this.attempt.feed.events(out)
        out.length = 0
        if (failure !== undefined) {
          this.attempt.feed.fail(fromFailure(failure))
          return false
        }
        return more
      }
      case "error":
        if (this.excerpt!.add(chunk)) this.answerError()
        return true
      case "body":
        this.body!.push(chunk)
        return true
      default:
        return true
    }
  }

  onComplete(): void {
    switch (this.state) {
      case "streaming": {
        const out = this.out
        const failure = this.decoder!.end(out)
        if (out.length > 0) this.attempt.feed.events(out)
        out.length = 0
        if (failure !== undefined) this.attempt.feed.fail(fromFailure(failure))
        else this.attempt.feed.end()
        break
      }
      case "error":
        this.answerError()
        break
      case "body":
        this.done(Effect.succeed(this.toResult(this)))
        break
    }
    this.state = "ended"
  }

  onError(error: Error): void {
    const state = this.state
    this.state = "ended"
    // Our own abort: whoever decided the end has said so already.
    if (this.aborted) return this.done(Effect.interrupt)
    switch (state) {
      case "waiting":
        return this.done(Effect.fail(transportError(error, "request")))
      case "streaming":
        return this.attempt.feed.fail(transportError(error, "response"))
      case "error":
        return this.answerError()
      case "body":
        return this.done(Effect.fail(transportError(error, "response")))
    }
  }

  /** The error answer as complete as it got: the attempt fails with it, the connection is dropped. */
  answerError(): void {
    if (this.excerpt === undefined || this.settle === undefined) return
    clearTimeout(this.excerptTimer)
    const error = this.excerpt.error(this.status, this.headers, Date.now())
    this.done(Effect.fail(error))
    this.abort()
  }

  bodyResponse(): BatchResponse {
    const bytes = Buffer.concat(this.body ?? [])
    return new BatchResponse({ status: this.status, headers: this.headers, text: bytes.toString("utf8") })
  }
}

/**
 * Sends one attempt through `dispatcher`; the exchange reports to the attempt's feed and settles
 * the returned effect. Interrupting it (a decision of the guard) destroys the connection.
 */
const send = <A, R>(
  dispatcher: Dispatcher,
  attempt: Attempt<A>,
  decoder: Dialect.Decoder<A> | undefined,
  toResult: (exchange: Exchange<A, R>) => R
): Effect.Effect<R, AttemptError> =>
  Effect.flatMap(bodyOf(attempt.request.body), (body) =>
    Effect.async<R, AttemptError>((resume) => {
      const request = attempt.request
      const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
      if (Either.isLeft(url)) {
        return resume(
          Effect.fail(new TransportError({ reason: "invalid_request", stage: "request", detail: url.left.message }))
        )
      }
      const exchange = new Exchange<A, R>(attempt, decoder, toResult, resume)
      attempt.feed.control(exchange)
      attempt.feed.phase("connect")
      try {
        dispatcher.dispatch(
          {
            origin: url.right.origin,
            path: url.right.pathname + url.right.search,
            method: request.method as Dispatcher.HttpMethod,
            headers: request.headers,
            body,
            // undici's own timers stay off: only the policy decides when a wait is too long.
            headersTimeout: 0,
            bodyTimeout: 0
          },
          exchange as unknown as Dispatcher.DispatchHandler
        )
      } catch (error) {
        return resume(Effect.fail(transportError(error, "request")))
      }
      return Effect.sync(() => exchange.abort())
    }))

/**
 * The transport over an undici dispatcher (an `Agent`, a `Pool`, a `Client`).
 *
 * @internal
 */
export const make = (dispatcher: Dispatcher): Transport => ({
  stream: (attempt, dialect, options) => send(dispatcher, attempt, dialect.decoder(options), () => undefined),
  batch: (attempt) => send(dispatcher, attempt, undefined, (exchange) => exchange.bodyResponse())
})
