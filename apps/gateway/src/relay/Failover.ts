/**
 * Fallback chains and hedging for one streamed request: the route's upstreams are tried in order
 * until one produces content, and a failure moves on only while nothing of the stream reached the
 * client. The frames an upstream sends before its first content (Anthropic `message_start`, the
 * Responses lifecycle, OpenAI's role chunk, pings) are held back until that content comes, so an
 * attempt that fails after them leaves nothing behind; the guard's own heartbeat still goes out
 * (an SSE comment that commits no upstream's frame).
 *
 * The request's `total` budget is shared: each attempt gets what is left of it, and none starts
 * once it is spent. An attempt's own retries (the client's `retry`) run inside it, before the
 * next upstream. A hedge (`hedgeAfter`) starts the next upstream beside a running one that has
 * produced no content after that long; the first to produce content wins and the other's scope is
 * closed at once, which aborts its request and destroys its socket.
 *
 * Two runners, each read top-down: `sequential` (a route without a hedge: one attempt at a time,
 * in the request's own fiber) and `hedged` (attempts raced by fibers of their own). What they
 * share, opening an attempt and pulling it to its first content, is `internal/attemptChain`;
 * what they decide, when to move on, is `fallsBack`.
 *
 * Why not Effect's `ExecutionPlan`: its steps run one after another, so it cannot express a hedge
 * (two attempts at once, the loser cancelled), and its `Stream` form counts any emitted element as
 * "partial"; here what counts is content reaching the client, with lifecycle frames held back and
 * heartbeats let through, and each attempt's limits follow from the budget the others left.
 *
 * @since 0.1.0
 */
import { ClientError } from "@streamguard/client"
import type { LlmClient } from "@streamguard/client"
import type { RequestProfile, StreamEvent } from "@streamguard/core"
import { StreamOutcome } from "@streamguard/core"
import * as Fallback from "@streamguard/kernel/client/Fallback"
import type { Dialect } from "@streamguard/protocols"
import type { Array as Arr, Duration } from "effect"
import { Cause, Data, Effect, Exit, Option } from "effect"
import type { Scope } from "effect"
import * as Attempt from "./Attempt.js"
import { AttemptChain } from "./internal/attemptChain.js"
import type { Running } from "./internal/attemptChain.js"
import { HedgeRace } from "./internal/hedgeRace.js"

/**
 * What to try, and how.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan<A> {
  readonly targets: Arr.NonEmptyReadonlyArray<Attempt.Target>
  readonly dialect: Dialect.Dialect<A>
  /** Start a hedge when the only running attempt produced no content after this long. */
  readonly hedgeAfter: Option.Option<Duration.Duration>
  /** How many hedges one request may start. */
  readonly maxHedges: number
}

/**
 * The attempt that produced content first: its events so far (the held-back frames and the first
 * content, or the end of a stream without content) and the pull for the rest, which hands over
 * what arrived since the last one, fails with the stream's error, or with `Cause.Done` at its end.
 *
 * @since 0.1.0
 * @category models
 */
export interface Started<A> {
  readonly served: Attempt.Attempt
  readonly attempts: ReadonlyArray<Attempt.Attempt>
  readonly events: ReadonlyArray<StreamEvent.StreamEvent<A>>
  readonly pull: Attempt.Pull<A>
}

/**
 * Every attempt failed before content, or one failed in a way another upstream would not mend:
 * the last failure, the upstream it came from, and every attempt.
 *
 * @since 0.1.0
 * @category errors
 */
export class Exhausted extends Data.TaggedError("gateway/Failover/Exhausted")<{
  readonly error: LlmClient.StreamError
  readonly upstream: string
  readonly attempts: ReadonlyArray<Attempt.Attempt>
}> {}

/**
 * Whether a failure before content moves on to the next upstream: a connection refused or reset,
 * the connect, write, headers, first-chunk and idle limits, an upstream status another upstream
 * may not answer (a transient one, or any other server error), an error event, a stream that
 * ended or could not be read. Not the `total` budget (spent for every upstream), the client's own
 * mistakes (another upstream would refuse them too), nor a shutdown. The rule is the kernel's
 * (`client/Fallback`), shared by every line.
 *
 * @since 0.1.0
 * @category predicates
 */
export const fallsBack = (error: unknown): boolean =>
  StreamOutcome.hasOutcome(error) &&
  Fallback.fallsBack({
    outcome: error.outcome,
    status: ClientError.isUpstreamHttpError(error) ? error.status : undefined
  })

/**
 * Runs the plan until an attempt produces content, in `scope` (the upstream's: each attempt lives
 * in a scope forked from it, so the winner lives as long as it does), telling `link` what the
 * attempts need to know and what they report. Fails with `Exhausted`.
 *
 * @since 0.1.0
 * @category running
 */
export const start = <A>(
  plan: Plan<A>,
  link: Attempt.Link<A>,
  scope: Scope.Scope
): Effect.Effect<Started<A>, Exhausted, LlmClient.LlmClient | RequestProfile.RequestProfile> =>
  Effect.flatMap(
    AttemptChain.make(plan, link, scope),
    (chain) =>
      plan.maxHedges === 0 || Option.isNone(plan.hedgeAfter) || plan.targets.length === 1
        ? sequential(chain, "primary")
        : hedged(chain, plan.hedgeAfter.value, plan.maxHedges)
  )

/**
 * A route without a hedge: one attempt at a time, in the request's own fiber (no fiber of its
 * own). Each attempt's pull is told to the link as it opens, so a client that leaves before
 * content can have it drained; a failure that falls back closes it and opens the next.
 */
const sequential = <A>(chain: AttemptChain<A>, role: Attempt.Role): Effect.Effect<Started<A>, Exhausted> =>
  Effect.flatMap(chain.open(role), (running) =>
    Effect.matchEffect(
      Effect.andThen(Effect.sync(() => chain.link.opened?.(running.pull)), chain.firstContent(running)),
      {
        onSuccess: (events) => served<A>(chain, running, events),
        onFailure: (error) =>
          Effect.andThen(
            chain.close(running, Attempt.outcomeOf(error)),
            fallsBack(error) && chain.canStart()
              ? sequential<A>(chain, "fallback")
              : Effect.fail(exhausted(chain, running, error))
          )
      }
    ))

/**
 * A hedged route: the first upstream starts alone; after `hedgeAfter` without content the next
 * starts beside it. The first attempt to produce content wins and every other is closed as
 * `cancelled`. A failure that falls back leaves the others racing, or, when none is left, starts
 * the next upstream at once; one that does not ends the race.
 */
const hedged = <A>(
  chain: AttemptChain<A>,
  hedgeAfter: Duration.Duration,
  maxHedges: number
): Effect.Effect<Started<A>, Exhausted> =>
  Effect.gen(function*() {
    const race = yield* HedgeRace.make(chain, hedgeAfter, maxHedges)
    yield* race.launch("primary")
    while (true) {
      const report = yield* race.next
      if (report._tag === "Hedge") {
        if (race.hedgeDue(report)) yield* race.launch("hedge")
        continue
      }
      if (!race.settled(report.running)) continue
      const exit = report.exit
      if (Exit.isSuccess(exit)) {
        yield* race.closeAll("cancelled")
        return yield* served<A>(chain, report.running, exit.value)
      }
      const failure = Cause.findErrorOption(exit.cause)
      if (Option.isNone(failure)) {
        // A defect or an interruption of the attempt's own fiber: not an upstream's failure.
        yield* race.closeAll("cancelled")
        return yield* Effect.failCause(exit.cause as Cause.Cause<never>)
      }
      yield* chain.close(report.running, Attempt.outcomeOf(failure.value))
      if (!fallsBack(failure.value)) {
        yield* race.closeAll("cancelled")
        return yield* Effect.fail(exhausted(chain, report.running, failure.value))
      }
      if (race.running.length > 0) continue
      if (!chain.canStart()) return yield* Effect.fail(exhausted(chain, report.running, failure.value))
      yield* race.launch("fallback")
    }
  })

/** The attempt whose stream is the client's, with what it produced so far. */
const served = <A>(
  chain: AttemptChain<A>,
  running: Running<A>,
  events: ReadonlyArray<StreamEvent.StreamEvent<A>>
): Effect.Effect<Started<A>> =>
  Effect.as(chain.serve(running), { served: running.info, attempts: chain.tried, events, pull: running.pull })

/** The chain ended with `running`'s failure. */
const exhausted = <A>(chain: AttemptChain<A>, running: Running<A>, error: LlmClient.StreamError): Exhausted =>
  new Exhausted({ error, upstream: running.info.upstream, attempts: chain.tried })
