/**
 * The load: long, mostly idle streams held at a target count (opened at the ramp rate, reopened
 * as they end) and short streams at a steady rate across the three endpoints, each read to its
 * end and told to the tally. Plain undici: one `Agent` with no cap on connections holds thousands
 * of streams from one process, and a stream costs the client nothing while it is silent.
 *
 * @since 0.1.0
 */
import { StringDecoder } from "node:string_decoder"
import { Agent } from "undici"
import { errorOutcome, type Kind, type SoakTally } from "./SoakTally.js"
import * as SoakTraffic from "./SoakTraffic.js"
import { SseReader } from "./SseReader.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface LoadOptions {
  readonly streams: number
  readonly rampPerSecond: number
  readonly steadyPerSecond: number
  readonly long: SoakTraffic.Paced
  readonly steady: SoakTraffic.Paced
}

const tickMillis = 50

/**
 * @since 0.1.0
 * @category load
 */
export class SoakLoad {
  private readonly agent = new Agent({ connections: null, connect: { timeout: 10_000 } })
  private readonly longStreams = new Set<AbortController>()
  private readonly running = new Set<Promise<void>>()
  private readonly longModel: string
  private readonly steadyModel: string
  private ticker: ReturnType<typeof setInterval> | undefined
  private closing = false
  private steadyIndex = 0

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
   * Starts opening: long streams up to the target at the ramp rate (and again as they end), short
   * ones at the steady rate. Both are credits accrued per tick, so a late tick catches up.
   */
  start(): void {
    let last = performance.now()
    let longCredit = 0
    let steadyCredit = 0
    const { rampPerSecond, steadyPerSecond, streams } = this.options
    this.ticker = setInterval(() => {
      const now = performance.now()
      const seconds = (now - last) / 1000
      last = now
      // At most two ticks' worth at once: a stalled loop must not release a burst.
      longCredit = Math.min(longCredit + rampPerSecond * seconds, (rampPerSecond * tickMillis * 2) / 1000 + 1)
      steadyCredit = Math.min(steadyCredit + steadyPerSecond * seconds, (steadyPerSecond * tickMillis * 2) / 1000 + 1)
      while (longCredit >= 1 && this.longStreams.size < streams) {
        longCredit--
        this.openLong()
      }
      if (this.longStreams.size >= streams) longCredit = Math.min(longCredit, 1)
      while (steadyCredit >= 1) {
        steadyCredit--
        const endpoint = SoakTraffic.endpoints[this.steadyIndex++ % SoakTraffic.endpoints.length]!
        this.track(this.stream("steady", endpoint, this.steadyModel, this.options.steady.chunks, undefined))
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
   * away: the gateway cancels their upstreams) and waits for every read to end, then lets go of the
   * client's connections.
   */
  async finish(millis: number): Promise<void> {
    this.stop()
    const deadline = performance.now() + millis
    while (this.running.size > this.longStreams.size && performance.now() < deadline) {
      await Promise.race([...this.running, new Promise((resolve) => setTimeout(resolve, 250))])
    }
    this.closing = true
    for (const controller of this.longStreams) controller.abort()
    await Promise.all(this.running)
    await this.agent.destroy()
  }

  private openLong(): void {
    const controller = new AbortController()
    this.longStreams.add(controller)
    const done = this.stream("long", "/v1/chat/completions", this.longModel, this.options.long.chunks, controller)
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
    chunks: number,
    controller: AbortController | undefined
  ): Promise<void> {
    const tally = this.tally
    tally.started(kind)
    const startedAt = performance.now()
    const paced = kind === "long" ? this.options.long : this.options.steady
    // Well past the gateway's own keep-alives (15 s) and the gaps: only a hung stream reaches it.
    const idleLimit = Math.max(60_000, paced.gapMillis * 2 + 30_000)
    try {
      const response = await this.agent.request({
        origin: this.url,
        path: endpoint,
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: SoakTraffic.body(endpoint, model),
        headersTimeout: 60_000,
        bodyTimeout: idleLimit,
        ...(controller === undefined ? {} : { signal: controller.signal })
      })
      if (kind === "long") tally.opened(performance.now() - startedAt)
      if (response.statusCode !== 200) {
        await response.body.dump()
        tally.ended(`http_${response.statusCode}`)
        return
      }
      const reader = new SseReader()
      let first = true
      const body = response.body
      // undici's body gives Buffers whatever its encoding: a character cut between two is kept.
      const decoder = new StringDecoder("utf8")
      await new Promise<void>((resolve, reject) => {
        body.on("data", (bytes: Buffer) => {
          reader.feed(decoder.write(bytes))
          if (first && reader.chunks > 0) {
            first = false
            if (kind === "steady") tally.firstChunk(performance.now() - startedAt)
          }
        })
        body.once("end", resolve)
        body.once("error", reject)
      })
      if (reader.error !== undefined) tally.ended(`inband:${reader.error}`)
      else if (reader.done) tally.ended("done", SoakTraffic.check(chunks, reader.content))
      else tally.ended("unexpected_end")
    } catch (error) {
      tally.ended(this.closing && controller?.signal.aborted === true ? "closed_by_soak" : errorOutcome(error))
    }
  }
}
