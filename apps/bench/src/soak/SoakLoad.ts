/**
 * The load: long, mostly idle streams held at a target count (opened at the ramp rate, reopened
 * as they end) and short streams at a steady rate across the three endpoints, each read to its
 * end and told to the tally. Plain undici: one `Agent` with no cap on connections holds thousands
 * of streams from one process, and a stream costs the client nothing while it is silent.
 *
 * @since 0.1.0
 */
import { Agent } from "undici"
import * as SoakStream from "./SoakStream.js"
import type { Kind, Phase, SoakTally } from "./SoakTally.js"
import * as SoakTraffic from "./SoakTraffic.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface LoadOptions {
  readonly streams: number
  /** Long streams opened per second, at most. */
  readonly rampPerSecond: number
  /**
   * Long streams waiting for their headers at once, at most: when the gateway admits slower than
   * the ramp rate, the ramp slows to its pace instead of queueing requests in front of it (a queue
   * every short stream would wait behind).
   */
  readonly rampWindow: number
  readonly steadyPerSecond: number
  readonly long: SoakTraffic.Paced
  readonly steady: SoakTraffic.Paced
}

const tickMillis = 50

/**
 * How a stream the soak aborts at its closing ended: a long stream as planned (`closed_by_soak`);
 * a short one the gateway had not ended by the deadline, an error.
 */
const closedOutcome: Readonly<Record<Kind, string>> = { long: "closed_by_soak", steady: "client:closing" }

/**
 * One tick of the ramp: the long streams to open after `seconds` more of credit at the ramp rate,
 * and the credit left. Opens only below the target (`streams` open) and the window (`rampWindow`
 * awaiting their headers); credit is capped at two ticks' worth (a stalled loop must not release a
 * burst), and at one when the target is reached (a stream that ends is reopened at once, the next
 * one at the rate).
 *
 * @since 0.1.0
 * @category load
 */
export const rampStep = (
  options: Pick<LoadOptions, "streams" | "rampPerSecond" | "rampWindow">,
  state: { readonly credit: number; readonly open: number; readonly opening: number },
  seconds: number
): { readonly open: number; readonly credit: number } => {
  const { rampPerSecond, rampWindow, streams } = options
  let credit = Math.min(state.credit + rampPerSecond * seconds, (rampPerSecond * tickMillis * 2) / 1000 + 1)
  const open = Math.max(0, Math.min(Math.floor(credit), streams - state.open, rampWindow - state.opening))
  credit -= open
  if (state.open + open >= streams) credit = Math.min(credit, 1)
  return { open, credit }
}

/**
 * @since 0.1.0
 * @category load
 */
export class SoakLoad {
  private readonly agent = new Agent({ connections: null, connect: { timeout: 10_000 } })
  private readonly longStreams = new Set<AbortController>()
  /**
   * One for every short stream: a gateway that hangs one (its keep-alives reset undici's body
   * timeout) would otherwise hold the closing forever.
   */
  private readonly shortStreams = new AbortController()
  private readonly running = new Set<Promise<void>>()
  private readonly longModel: string
  private readonly steadyModel: string
  private ticker: ReturnType<typeof setInterval> | undefined
  private closing = false
  private steadyIndex = 0
  private opening = 0
  private startedAt = 0
  private heldAt: number | undefined = undefined
  private onRamped: (seconds: number) => void = () => undefined
  /** Resolves with `rampSeconds` when the ramp ends. */
  readonly ramped = new Promise<number>((resolve) => (this.onRamped = resolve))

  constructor(
    private readonly url: string,
    private readonly options: LoadOptions,
    private readonly tally: SoakTally
  ) {
    this.longModel = SoakTraffic.model(options.long)
    this.steadyModel = SoakTraffic.model(options.steady)
  }

  /** Long streams open now. */
  get longOpen(): number {
    return this.longStreams.size
  }

  /** Every stream open now, long and short. */
  get open(): number {
    return this.running.size
  }

  /**
   * Seconds from the start to every long stream open (its headers arrived) at once for the first
   * time: the end of the ramp (`undefined` before).
   */
  get rampSeconds(): number | undefined {
    return this.heldAt === undefined ? undefined : (this.heldAt - this.startedAt) / 1000
  }

  /**
   * Starts opening: long streams up to the target at the ramp rate (and again as they end), short
   * ones at the steady rate. Both are credits accrued per tick, so a late tick catches up.
   */
  start(): void {
    this.startedAt = performance.now()
    let last = this.startedAt
    let longCredit = 0
    let steadyCredit = 0
    const { steadyPerSecond, streams } = this.options
    this.ticker = setInterval(() => {
      const now = performance.now()
      const seconds = (now - last) / 1000
      last = now
      const step = rampStep(
        this.options,
        { credit: longCredit, open: this.longStreams.size, opening: this.opening },
        seconds
      )
      longCredit = step.credit
      for (let i = 0; i < step.open; i++) this.openLong()
      if (this.longStreams.size >= streams && this.opening === 0 && this.heldAt === undefined) {
        // The ramp ends when every long stream is open at once: requested, and admitted.
        this.heldAt = now
        this.onRamped(this.rampSeconds!)
      }
      steadyCredit = Math.min(steadyCredit + steadyPerSecond * seconds, (steadyPerSecond * tickMillis * 2) / 1000 + 1)
      while (steadyCredit >= 1) {
        steadyCredit--
        const endpoint = SoakTraffic.endpoints[this.steadyIndex++ % SoakTraffic.endpoints.length]!
        this.track(this.stream("steady", endpoint, this.steadyModel, this.options.steady, this.shortStreams))
      }
    }, tickMillis)
  }

  /** Stops opening streams; those open go on. */
  stop(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker)
    this.ticker = undefined
  }

  /**
   * Waits up to `millis` for the short streams to end, then closes the long ones (a client going
   * away: the gateway cancels their upstreams) and the short ones left (counted as
   * `client:closing`, an error: the gateway did not end them in time), waits for every read to
   * end, then lets go of the client's connections.
   */
  async finish(millis: number): Promise<void> {
    this.stop()
    const deadline = performance.now() + millis
    while (this.running.size > this.longStreams.size && performance.now() < deadline) {
      await Promise.race([...this.running, new Promise((resolve) => setTimeout(resolve, 250))])
    }
    this.closing = true
    for (const controller of this.longStreams) controller.abort()
    this.shortStreams.abort()
    await Promise.all(this.running)
    await this.agent.destroy().catch(() => undefined)
  }

  private openLong(): void {
    const controller = new AbortController()
    this.longStreams.add(controller)
    this.opening++
    const done = this.stream("long", "/v1/chat/completions", this.longModel, this.options.long, controller)
    this.track(done.finally(() => this.longStreams.delete(controller)))
  }

  private track(done: Promise<void>): void {
    this.running.add(done)
    void done.finally(() => this.running.delete(done))
  }

  private async stream(
    kind: Kind,
    endpoint: SoakTraffic.Endpoint,
    model: string,
    paced: SoakTraffic.Paced,
    controller: AbortController
  ): Promise<void> {
    const tally = this.tally
    const phase: Phase = this.heldAt === undefined ? "ramp" : "held"
    tally.started(kind)
    let waiting = kind === "long"
    const admitted = () => {
      if (waiting) this.opening--
      waiting = false
    }
    const ended = await SoakStream.run(this.agent, {
      origin: this.url,
      endpoint,
      model,
      chunks: paced.chunks,
      // Well past the gateway's own keep-alives (15 s) and the gaps: only a hung stream reaches it.
      idleLimitMillis: Math.max(60_000, paced.gapMillis * 2 + 30_000),
      signal: controller.signal
    }, {
      onHeaders: (millis) => {
        admitted()
        if (kind === "long") tally.opened(millis, phase)
      },
      onFirstChunk: (millis) => {
        if (kind === "steady") tally.firstChunk(millis, phase)
      }
    })
    admitted()
    tally.ended(this.closing && ended.aborted ? closedOutcome[kind] : ended.outcome, ended.check)
  }
}
