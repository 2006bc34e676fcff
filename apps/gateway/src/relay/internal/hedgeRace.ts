/**
 * The moving parts of a hedged route's race, apart from its decisions (which are `Failover`'s):
 * each attempt is pulled to its first content by a fiber in the attempt's own scope, so closing
 * that scope (a lost race) interrupts it at once; every attempt's settling and the hedge timer
 * report on one queue, which the runner takes one report at a time; and one hedge timer at most
 * runs, only while one attempt runs alone.
 *
 * @internal
 */
import type { LlmClient } from "@streamguard/client"
import type { StreamEvent } from "@streamguard/core"
import type { Duration, Exit } from "effect"
import { Effect, Fiber, Queue } from "effect"
import type * as Attempt from "../Attempt.js"
import type { AttemptChain, Running } from "./attemptChain.js"

/**
 * What the race hears: a hedge timer went off, or an attempt settled (its first content, or its
 * failure before it).
 *
 * @internal
 */
export type Report<A> =
  | { readonly _tag: "Hedge"; readonly timer: number }
  | {
    readonly _tag: "Settled"
    readonly running: Running<A>
    readonly exit: Exit.Exit<ReadonlyArray<StreamEvent.StreamEvent<A>>, LlmClient.StreamError>
  }

/**
 * One request's race.
 *
 * @internal
 */
export class HedgeRace<A> {
  /** The attempts still in the race, in the order they started. */
  readonly running: Array<Running<A>> = []
  /** The next report. */
  readonly next: Effect.Effect<Report<A>>
  private hedges = 0
  /** The current timer's number: a report of an earlier one is stale. */
  private timer = 0
  private sleeping: Fiber.Fiber<unknown> | undefined = undefined

  private constructor(
    private readonly chain: AttemptChain<A>,
    private readonly reports: Queue.Queue<Report<A>>,
    private readonly hedgeAfter: Duration.Duration,
    private readonly maxHedges: number
  ) {
    this.next = Queue.take(reports)
  }

  /** A race over `chain`'s attempts: a hedge after `hedgeAfter`, at most `maxHedges` of them. */
  static make<A>(
    chain: AttemptChain<A>,
    hedgeAfter: Duration.Duration,
    maxHedges: number
  ): Effect.Effect<HedgeRace<A>> {
    return Effect.map(Queue.unbounded<Report<A>>(), (reports) => new HedgeRace(chain, reports, hedgeAfter, maxHedges))
  }

  /**
   * Opens the next attempt and pulls it to its first content in a fiber of its scope. When it
   * runs alone and a hedge may follow, the hedge timer starts anew.
   */
  launch(role: Attempt.Role): Effect.Effect<void> {
    return Effect.gen({ self: this }, function*() {
      if (role === "hedge") this.hedges++
      const attempt = yield* this.chain.open(role)
      this.running.push(attempt)
      // Forked in the attempt's scope: closing it (a lost race) interrupts the pull at once.
      yield* Effect.forkIn(
        Effect.flatMap(
          Effect.exit(this.chain.firstContent(attempt)),
          (exit) => Queue.offer(this.reports, { _tag: "Settled", running: attempt, exit })
        ),
        attempt.scope
      )
      yield* this.stopTimer
      if (this.running.length === 1 && this.hedges < this.maxHedges && this.chain.hasNext) {
        const id = this.timer
        this.sleeping = yield* Effect.forkChild(
          Effect.andThen(Effect.sleep(this.hedgeAfter), Queue.offer(this.reports, { _tag: "Hedge", timer: id }))
        )
      }
    })
  }

  /** Whether a hedge starts at this timer's report: it is the current timer's, and one attempt runs alone. */
  hedgeDue(report: Extract<Report<A>, { readonly _tag: "Hedge" }>): boolean {
    return report.timer === this.timer && this.running.length === 1 && this.chain.canStart()
  }

  /** Takes a settled attempt out of the race; `false` when it had left it already (closed as a loser). */
  settled(running: Running<A>): boolean {
    const index = this.running.indexOf(running)
    if (index < 0) return false
    this.running.splice(index, 1)
    return true
  }

  /** Ends the race: stops the timer and closes every attempt still in it, with `result`. */
  closeAll(result: string): Effect.Effect<void> {
    return Effect.andThen(
      this.stopTimer,
      Effect.suspend(() =>
        Effect.forEach(this.running.splice(0), (other) => this.chain.close(other, result), { discard: true })
      )
    )
  }

  private readonly stopTimer: Effect.Effect<void> = Effect.suspend(() => {
    const fiber = this.sleeping
    this.sleeping = undefined
    this.timer++
    return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
  })
}
