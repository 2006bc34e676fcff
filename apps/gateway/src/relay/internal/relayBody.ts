/**
 * The body of a relayed stream, written by hand to the Node response: the 200 event-stream head,
 * each pull's events as the dialect's text in one write (the relay waits for the socket to drain
 * when it is full, so a slow client slows the upstream down), the dialect's keep-alive at the
 * guard's heartbeat, and the in-band error event when a started stream fails. No queue and no
 * fiber: the request's fiber writes, and the heartbeat writes from the guard's scheduler without
 * waking it. Every write is a plain call; only the wait for a drain is an effect.
 *
 * @internal
 */
import { StreamEvent } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import { Effect } from "effect"
import type * as Http from "node:http"
import * as ErrorResponse from "../../api/ErrorResponse.js"
import * as Delivered from "../Delivered.js"
import { UsageMeter } from "./usageMeter.js"

/** Waits until the client's socket took what was written; ends early if the client went away. */
const drained = (response: Http.ServerResponse) =>
  Effect.callback<void>((resume) => {
    const done = () => {
      response.off("drain", done).off("close", done)
      resume(Effect.void)
    }
    response.once("drain", done).once("close", done)
    return Effect.sync(() => response.off("drain", done).off("close", done))
  })

/**
 * One stream's body. Its methods are on the prototype; only the two handed out as callbacks
 * (`keepalive` to the guard, `count` to a drain's pulls) are closures.
 *
 * @internal
 */
export class RelayBody<A> {
  private started = false
  /**
   * The upstream's pings relayed or drained: the dialect's `isPing` (an SSE comment, Anthropic
   * `ping`, a Responses `keepalive`), not its lifecycle frames (`message_start`, OpenAI's role
   * chunk), which are `Keepalive` events too, nor the guard's own heartbeat (no bytes).
   */
  pings = 0
  /** What the client got: content events, characters, and the upstream's token counts. */
  readonly meter: UsageMeter<A>
  // The dialect's own keep-alive: a payload-less keepalive, an SSE comment on every SSE endpoint.
  private readonly keepaliveText: string

  constructor(private readonly response: Http.ServerResponse, private readonly dialect: Dialect.Dialect<A>) {
    this.keepaliveText = dialect.encode(StreamEvent.Keepalive({ bytes: 0 }))
    this.meter = new UsageMeter(dialect)
    this.drained = drained(response)
  }

  /** Whether the 200 head went out. */
  get isStarted(): boolean {
    return this.started
  }

  /**
   * Writes the dialect's keep-alive, for the guard's `onHeartbeat`: `true` when it did, `false`
   * before the head went out (the guard then hands the relay a keepalive, whose write commits the
   * 200) or after the end.
   */
  readonly keepalive = (): boolean => {
    if (!this.started || this.response.writableEnded) return false
    this.response.write(this.keepaliveText)
    return true
  }

  /**
   * Writes one pull's events in one write: `false` when the client's socket is full, and the
   * relay should wait for `drained` before it pulls again. A pull that ends with the upstream's
   * `Done` also ends the response, in the same write: the last chunk goes out at once, not after
   * the upstream's close and the relay's end (Node holds a chunk back until the end of the tick,
   * and the end would follow that close).
   */
  write(events: ReadonlyArray<StreamEvent.StreamEvent<A>>): boolean {
    const out = this.text(events)
    if (events[events.length - 1]?._tag === "Done") {
      this.response.end(out)
      return true
    }
    return out === "" || this.response.write(out)
  }

  /** Waits until the client's socket took what was written; ends early if the client went away. */
  readonly drained: Effect.Effect<void>

  /** Sends the 200 event-stream head. */
  start(requestId: string): void {
    this.started = true
    this.response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "x-request-id": requestId,
      "cache-control": "no-cache",
      // Tells nginx not to buffer the stream.
      "x-accel-buffering": "no"
    })
  }

  /**
   * Writes the error as the dialect's in-band error event, with what was delivered before it and
   * `extra` (the upstream that served, the attempts).
   */
  fail(error: ErrorResponse.GatewayError, extra: Record<string, unknown> = {}): void {
    const event = { ...ErrorResponse.inBand(error), ...extra, usage: Delivered.inBand(this.meter.snapshot()) }
    this.response.write(this.dialect.encode(this.dialect.errorEvent(event)))
  }

  /** Ends the response, unless the upstream's `Done` already did. */
  end(): void {
    if (!this.response.writableEnded) this.response.end()
  }

  /**
   * Counts the pings among events read but not written (a drained upstream's), and reads the
   * upstream's token counts from them: nothing of them was delivered, but their usage is real.
   */
  readonly count = (events: ReadonlyArray<StreamEvent.StreamEvent<A>>): void => {
    for (const event of events) {
      if (this.isPing(event)) this.pings++
      this.meter.read(event)
    }
  }

  private isPing(event: StreamEvent.StreamEvent<A>): boolean {
    return event._tag === "Keepalive" && event.bytes > 0 && this.dialect.isPing(event)
  }

  private text(events: ReadonlyArray<StreamEvent.StreamEvent<A>>): string {
    let out = ""
    for (const event of events) {
      if (event._tag === "Keepalive" && this.isPing(event)) this.pings++
      this.meter.written(event)
      out += this.dialect.encode(event)
    }
    return out
  }
}
