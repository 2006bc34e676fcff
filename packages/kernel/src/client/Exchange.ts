/**
 * One HTTP attempt on undici's `dispatch()`: the handler that reports straight to a guarded
 * stream's `Feed` (the phases as the request is connected, written and answered, then each
 * network read decoded synchronously into events), reads an error answer into a bounded excerpt
 * or a whole 2xx body, and is the stream's `Control` (abort, pause, resume, release). No Readable,
 * no stream pump, nothing per read but the decoder; the socket is destroyed synchronously when the
 * guard decides the end.
 *
 * One class for both of undici's handler interfaces. The exchange itself speaks the controller
 * one (`onRequestStart`, `onResponseStart`, `onResponseData`, `onResponseEnd`,
 * `onResponseError`): undici 8's only one. `classic()` is its face in the older one (`onConnect`,
 * `onHeaders`, `onData`, `onComplete`, `onError`), which undici 7 speaks natively: undici 7
 * adapts a controller handler but then drops `onRequestSent`, the end of the `write` phase, and
 * undici 8 refuses a classic handler. Both call `onRequestSent` on the object they were given.
 *
 * The attempt's answer (the response started streaming, a whole body, an HTTP error, a failed
 * connection, our own abort) is handed once to `settle`, as data; each line resumes its fiber
 * with it and makes its errors of it.
 *
 * @since 0.1.0
 */
import type { Control, Feed } from "../Feed.js"
import type { Decoder } from "../protocols/Dialect.js"
import type { DecodeFailure } from "../protocols/ProtocolError.js"
import type { StreamEvent } from "../StreamEvent.js"
import { isSuccessStatus } from "../StreamOutcome.js"
import type { Dispatcher, DispatchOptions } from "./Dispatch.js"
import * as Headers from "./Headers.js"
import * as TransportFailure from "./TransportFailure.js"
import { Excerpt, type UpstreamHttpFailure } from "./UpstreamHttpFailure.js"

/**
 * How the attempt was answered, told once.
 *
 * - `Streaming`: a 2xx answer started streaming into the feed (a stream's attempt).
 * - `Body`: a 2xx answer read whole (a batch call's attempt); its connection went back to the pool.
 * - `HttpError`: any other status, with its excerpt; the connection was dropped.
 * - `TransportFailure`: the connection failed before the answer.
 * - `Aborted`: stopped by the guard (who decided the end has said so already).
 *
 * @since 0.1.0
 * @category models
 */
export type Answer =
  | { readonly _tag: "Streaming" }
  | {
    readonly _tag: "Body"
    readonly status: number
    readonly headers: Headers.Headers
    readonly text: string
  }
  | { readonly _tag: "HttpError"; readonly failure: UpstreamHttpFailure }
  | { readonly _tag: "TransportFailure"; readonly failure: TransportFailure.TransportFailure }
  | { readonly _tag: "Aborted" }

/**
 * How the line makes the failures of a response that already streamed, as its own errors (`E`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Errors<E> {
  readonly transport: (failure: TransportFailure.TransportFailure) => E
  readonly decode: (failure: DecodeFailure) => E
}

/**
 * What undici 8 hands a controller handler (undici 7's adapter has the same shape).
 *
 * @since 0.1.0
 * @category models
 */
export interface Controller {
  abort(reason: Error): void
  pause(): void
  resume(): void
  /** The response's headers as received: names and values alternating (undici 8). */
  readonly rawHeaders?: unknown
}

/**
 * The handler interface a dispatcher speaks: `classic` (undici 7, natively) or `controller`
 * (undici 8, and only it).
 *
 * @since 0.1.0
 * @category models
 */
export type Face = "classic" | "controller"

const streaming: Answer = { _tag: "Streaming" }
const aborted: Answer = { _tag: "Aborted" }
const abortError = () => new Error("aborted by StreamGuard")

type State = "waiting" | "streaming" | "error" | "body" | "ended"

/**
 * One attempt's handler. With a `decoder`, a 2xx answer is a stream decoded into the feed;
 * without one, a body read whole. A non-2xx answer is read into an error excerpt, bounded in size
 * and in time (`excerptWithinMillis`, on Node's timers).
 *
 * @since 0.1.0
 * @category models
 */
export class Exchange<A, E> implements Control {
  private controller: Controller | undefined = undefined
  private abortRequest: ((error: Error) => void) | undefined = undefined
  private resumeReading: (() => void) | undefined = undefined
  private aborted = false
  private state: State = "waiting"
  private status = 0
  private headers: Headers.Headers | undefined = undefined
  private excerpt: Excerpt | undefined = undefined
  /** An error answer's excerpt may take its time, but not forever. */
  private excerptTimer: ReturnType<typeof setTimeout> | undefined = undefined
  private body: Array<Uint8Array> | undefined = undefined
  private readonly out: Array<StreamEvent<A>> = []
  private settle: ((answer: Answer) => void) | undefined

  constructor(
    private readonly feed: Feed<A, E>,
    private readonly decoder: Decoder<A> | undefined,
    private readonly errors: Errors<E>,
    private readonly excerptWithinMillis: number,
    settle: (answer: Answer) => void
  ) {
    this.settle = settle
  }

  /**
   * Sends the attempt: becomes the feed's control, enters the `connect` phase and dispatches
   * through `dispatcher` in the `face` its undici speaks. A dispatcher that throws settles the
   * attempt with the failure.
   */
  dispatch(dispatcher: Dispatcher, options: DispatchOptions, face: Face): void {
    this.feed.control(this)
    this.feed.phase("connect")
    try {
      dispatcher.dispatch(options, face === "classic" ? new ClassicFace<A, E>(this) : this)
    } catch (error) {
      this.done({ _tag: "TransportFailure", failure: TransportFailure.fromCause(error, "request") })
    }
  }

  private done(answer: Answer): void {
    const settle = this.settle
    this.settle = undefined
    settle?.(answer)
  }

  // The guard's controls (`Feed.Control`): this object is its own, no closures per attempt.

  /** Destroys the connection (or the request, still queued for one). */
  abort(): void {
    if (this.aborted || this.state === "ended") return
    this.aborted = true
    clearTimeout(this.excerptTimer)
    if (this.controller !== undefined) this.controller.abort(abortError())
    else this.abortRequest?.(abortError())
  }

  /** Classic: pausing is `onData` returning `false`; controller: the controller pauses. */
  pause(): void {
    this.controller?.pause()
  }

  resume(): void {
    if (this.state !== "streaming") return
    if (this.controller !== undefined) this.controller.resume()
    else this.resumeReading?.()
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

  // The steps, whichever face undici called.

  /** Connected: the request is being written. */
  started(abort: ((error: Error) => void) | undefined): void {
    if (this.aborted) {
      if (this.controller !== undefined) this.controller.abort(abortError())
      else abort?.(abortError())
      return
    }
    this.abortRequest = abort
    this.feed.phase("write")
  }

  /** Classic: how reading resumes after `onData` returned `false`. */
  reading(resume: () => void): void {
    this.resumeReading = resume
  }

  /** The request was written whole: waiting for the answer. */
  sent(): void {
    if (this.state === "waiting") this.feed.phase("headers")
  }

  /** The status and headers arrived (`headers` read only when the answer is kept whole). */
  responded(status: number, headers: () => Headers.Headers): void {
    if (this.state !== "waiting") return
    this.status = status
    if (isSuccessStatus(status) && this.decoder !== undefined) {
      this.state = "streaming"
      this.feed.opened()
      this.done(streaming)
      return
    }
    this.headers = headers()
    if (isSuccessStatus(status)) {
      this.state = "body"
      this.body = []
    } else {
      this.state = "error"
      this.excerpt = new Excerpt()
      this.excerptTimer = setTimeout(() => this.answerError(), this.excerptWithinMillis)
    }
  }

  /** One network read; `false` asks undici to pause. */
  data(chunk: Uint8Array): boolean {
    switch (this.state) {
      case "streaming": {
        const out = this.out
        const failure = this.decoder!.push(chunk, out)
        // `events` may run the consumer at once, which may abort us: nothing of it is read after.
        const more = out.length === 0 ? true : this.feed.events(out)
        out.length = 0
        if (failure !== undefined) {
          this.feed.fail(this.errors.decode(failure))
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

  /** The response ended cleanly. */
  complete(): void {
    switch (this.state) {
      case "streaming": {
        const out = this.out
        const failure = this.decoder!.end(out)
        if (out.length > 0) this.feed.events(out)
        out.length = 0
        if (failure !== undefined) this.feed.fail(this.errors.decode(failure))
        else this.feed.end()
        break
      }
      case "error":
        this.answerError()
        break
      case "body":
        this.done({ _tag: "Body", status: this.status, headers: this.headers!, text: this.bodyText() })
        break
    }
    this.state = "ended"
  }

  /** The request or the response failed (or was aborted: ours, then nothing more is said). */
  failed(error: Error): void {
    const state = this.state
    this.state = "ended"
    if (this.aborted) return this.done(aborted)
    switch (state) {
      case "waiting":
        return this.done({ _tag: "TransportFailure", failure: TransportFailure.fromCause(error, "request") })
      case "streaming":
        return this.feed.fail(this.errors.transport(TransportFailure.fromCause(error, "response")))
      case "error":
        return this.answerError()
      case "body":
        return this.done({ _tag: "TransportFailure", failure: TransportFailure.fromCause(error, "response") })
    }
  }

  /** The error answer as complete as it got: the attempt fails with it, the connection is dropped. */
  private answerError(): void {
    if (this.excerpt === undefined || this.settle === undefined) return
    clearTimeout(this.excerptTimer)
    this.done({ _tag: "HttpError", failure: this.excerpt.failure(this.status, this.headers!, Date.now()) })
    this.abort()
  }

  private bodyText(): string {
    return Buffer.concat(this.body ?? []).toString("utf8")
  }

  // undici 8: the controller interface.

  /** undici: the request has a connection and is being written. */
  onRequestStart(controller: Controller, _context: unknown): void {
    this.controller = controller
    this.started(undefined)
  }

  /** undici: the request was written whole. */
  onRequestSent(): void {
    this.sent()
  }

  /** undici: the status and headers. */
  onResponseStart(
    controller: Controller,
    status: number,
    headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
    _statusText?: string
  ): void {
    this.responded(
      status,
      () => Array.isArray(controller.rawHeaders) ? Headers.fromRaw(controller.rawHeaders) : Headers.fromParsed(headers)
    )
  }

  /** undici: a network read; pausing is the controller's. */
  onResponseData(controller: Controller, chunk: Uint8Array): void {
    if (!this.data(chunk)) controller.pause()
  }

  /** undici: the response ended cleanly. */
  onResponseEnd(_controller: Controller, _trailers: unknown): void {
    this.complete()
  }

  /** undici: the request or the response failed (`controller` is `null` when dispatch failed at once). */
  onResponseError(_controller: Controller | null, error: Error): void {
    this.failed(error)
  }

  /** undici: the upstream upgraded the connection, which no LLM stream does. */
  onRequestUpgrade(): void {
    this.failed(new Error("the upstream upgraded the connection"))
  }
}

/**
 * The exchange in undici's classic handler interface, for undici 7.
 *
 * @since 0.1.0
 * @category models
 */
export class ClassicFace<A, E> {
  constructor(private readonly exchange: Exchange<A, E>) {}

  /** Connected: `abort` destroys the request. */
  onConnect(abort: (error: Error) => void): void {
    this.exchange.started(abort)
  }

  /** The request was written whole. */
  onRequestSent(): void {
    this.exchange.sent()
  }

  /** A piece of the body was written: nothing to tell. */
  onBodySent(): void {}

  /** The response began to arrive: the headers follow. */
  onResponseStarted(): void {}

  /** The upstream upgraded the connection, which no LLM stream does. */
  onUpgrade(): void {
    this.exchange.failed(new Error("the upstream upgraded the connection"))
  }

  /** The status and headers; `resume` reads on after `onData` returned `false`. */
  onHeaders(status: number, raw: Array<Uint8Array>, resume: () => void): boolean {
    this.exchange.reading(resume)
    this.exchange.responded(status, () => Headers.fromRaw(raw))
    return true
  }

  /** A network read; `false` pauses reading. */
  onData(chunk: Uint8Array): boolean {
    return this.exchange.data(chunk)
  }

  /** The response ended cleanly. */
  onComplete(): void {
    this.exchange.complete()
  }

  /** The request or the response failed. */
  onError(error: Error): void {
    this.exchange.failed(error)
  }
}
