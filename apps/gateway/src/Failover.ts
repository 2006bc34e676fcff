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
 * Why not Effect's `ExecutionPlan`: its steps run one after another, so it cannot express a hedge
 * (two attempts at once, the loser cancelled), and its `Stream` form counts any emitted element as
 * "partial"; here what counts is content reaching the client, with lifecycle frames held back and
 * heartbeats let through, and each attempt's limits follow from the budget the others left.
 *
 * @since 0.1.0
 */
import type { HttpClientRequest } from "@effect/platform"
import { ClientError, LlmClient } from "@streamguard/client"
import type { StreamEvent, StreamObserver } from "@streamguard/core"
import { Guard, RequestProfile, StreamOutcome, TimeoutPolicy } from "@streamguard/core"
import type { Dialect } from "@streamguard/protocols"
import type { Array as Arr } from "effect"
import {
  Cause,
  Chunk,
  Data,
  Duration,
  Effect,
  ExecutionStrategy,
  Exit,
  Fiber,
  Option,
  Queue,
  Scope,
  Stream
} from "effect"
import { count } from "./internal/attemptCount.js"
import { asRequestBudget } from "./internal/requestBudget.js"

/**
 * Why an attempt started: the route's first upstream, a fallback after a failure, or a hedge.
 *
 * @since 0.1.0
 * @category models
 */
export type Role = "primary" | "fallback" | "hedge"

/**
 * One upstream of the chain, with the request it gets.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly upstream: string
  readonly request: HttpClientRequest.HttpClientRequest
}

/**
 * One attempt and how it ended: `served` (its stream is the client's), `cancelled` (it lost a
 * hedge race), `pending` (still undecided), or the stream outcome it failed with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attempt {
  readonly upstream: string
  /** 1 for the first attempt, in the order they started. */
  readonly attempt: number
  readonly role: Role
  result: string
}

/**
 * What to try, and how.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan<A> {
  readonly targets: Arr.NonEmptyReadonlyArray<Target>
  readonly dialect: Dialect.Dialect<A>
  /** Start a hedge when the only running attempt produced no content after this long. */
  readonly hedgeAfter: Option.Option<Duration.Duration>
  /** How many hedges one request may start. */
  readonly maxHedges: number
  /** What every attempt's stream shares (heartbeat, abort signal, decode options). */
  readonly options?: Omit<LlmClient.StreamOptions<A>, "dialect" | "labels" | "observer" | "policy"> | undefined
  /** The observer of one attempt's stream. */
  readonly observer: (attempt: Attempt) => StreamObserver.Service
  /** Called at a heartbeat before any content: the client may be told the stream is alive. */
  readonly onWaiting: Effect.Effect<void>
  /**
   * Told each attempt's pull as it opens, when attempts run one at a time in the caller's fiber
   * (a route without a hedge): what a drain reads if the client leaves before content. A hedged
   * attempt is pulled by a fiber of its own, which a second reader would race.
   */
  readonly opened?: ((pull: Effect.Effect<Chunk.Chunk<StreamEvent.StreamEvent<A>>, unknown>) => void) | undefined
}

/**
 * The attempt that produced content first: its events so far (the held-back frames and the first
 * content, or the end of a stream without content) and the pull for the rest.
 *
 * @since 0.1.0
 * @category models
 */
export interface Started<A> {
  readonly served: Attempt
  readonly attempts: ReadonlyArray<Attempt>
  readonly events: Chunk.Chunk<StreamEvent.StreamEvent<A>>
  readonly pull: Effect.Effect<Chunk.Chunk<StreamEvent.StreamEvent<A>>, Option.Option<LlmClient.StreamError>>
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
  readonly attempts: ReadonlyArray<Attempt>
}> {}

/**
 * Whether a failure before content moves on to the next upstream: a connection refused or reset,
 * the connect, write, headers, first-chunk and idle limits, an upstream status another upstream
 * may not answer (`anotherMayServe`), an error event, a stream that ended or could not be read.
 * Not the `total` budget (spent for every upstream), the client's own mistakes (another upstream
 * would refuse them too), nor a shutdown.
 *
 * @since 0.1.0
 * @category predicates
 */
export const fallsBack = (error: unknown): boolean => {
  if (!StreamOutcome.hasOutcome(error)) return false
  switch (error.outcome) {
    case "connect_timeout":
    case "write_timeout":
    case "headers_timeout":
    case "pool_timeout":
    case "first_chunk_timeout":
    case "chunk_timeout":
    case "progress_timeout":
    case "transport_error":
    case "error_signal":
    case "unexpected_end":
    case "protocol_error":
      return true
    case "upstream_http_error":
      return ClientError.isUpstreamHttpError(error) && anotherMayServe(error.status)
    default:
      return false
  }
}

/**
 * An upstream status that another upstream may not answer: a transient one (the client would
 * retry it on the same upstream), or any other server error. A 501 Not Implemented or a 505 HTTP
 * Version Not Supported is not transient, that upstream will answer it again, but it is that
 * server's own limit, not the request's fault: another server (often another provider or
 * version) may well serve the same request, so the chain moves on from it too.
 */
const anotherMayServe = (status: number): boolean => StreamOutcome.isTransientStatus(status) || status >= 500

interface Running<A> {
  readonly info: Attempt
  readonly scope: Scope.CloseableScope
  readonly pull: Effect.Effect<Chunk.Chunk<StreamEvent.StreamEvent<A>>, Option.Option<LlmClient.StreamError>>
}

type Report<A> =
  | { readonly _tag: "Hedge"; readonly timer: number }
  | {
    readonly _tag: "Settled"
    readonly running: Running<A>
    readonly exit: Exit.Exit<Chunk.Chunk<StreamEvent.StreamEvent<A>>, LlmClient.StreamError>
  }

/**
 * The outcome a failure names (`connect_timeout`, `upstream_http_error`, ...), for an attempt's result.
 *
 * @since 0.1.0
 * @category models
 */
export const outcomeOf = (error: unknown): string => StreamOutcome.hasOutcome(error) ? error.outcome : "failed"

/** A payload-less keepalive: the guard's heartbeat, not an upstream frame. */
const isHeartbeat = <A>(event: StreamEvent.StreamEvent<A>): boolean =>
  event._tag === "Keepalive" && event.bytes === 0 && event.value === undefined

/**
 * Runs the plan until an attempt produces content, in `scope` (the upstream's: each attempt lives
 * in a scope forked from it, so the winner lives as long as it does). Fails with `Exhausted`.
 *
 * @since 0.1.0
 * @category running
 */
export const start = <A>(
  plan: Plan<A>,
  scope: Scope.Scope
): Effect.Effect<Started<A>, Exhausted, LlmClient.LlmClient | RequestProfile.RequestProfile> =>
  Effect.gen(function*() {
    const client = yield* LlmClient.LlmClient
    const profile = yield* RequestProfile.RequestProfile
    const policy = profile.policy
    const clock = yield* Effect.clock
    const startedAt = clock.unsafeCurrentTimeMillis()
    const total = TimeoutPolicy.limit(policy, "total")
    const tried: Array<Attempt> = []
    let next = 0
    let lastOpened: Running<A> | undefined

    /** What is left of `total` now; none: no limit. */
    const left = (): Option.Option<number> =>
      Option.map(total, (limit) => Duration.toMillis(limit) - (clock.unsafeCurrentTimeMillis() - startedAt))
    const canStart = (): boolean => next < plan.targets.length && Option.getOrElse(left(), () => 1) > 0
    /** An attempt's `total` timeout told as the request's; its other failures are its own. */
    const asRequestTotal = (error: LlmClient.StreamError): LlmClient.StreamError =>
      Option.isNone(total)
        ? error
        : asRequestBudget(error, total.value, clock.unsafeCurrentTimeMillis() - startedAt)

    const open = (role: Role) =>
      Effect.gen(function*() {
        const target = plan.targets[next++]!
        const info: Attempt = { upstream: target.upstream, attempt: tried.length + 1, role, result: "pending" }
        tried.push(info)
        const own = yield* Scope.fork(scope, ExecutionStrategy.sequential)
        // The first attempt has the whole budget; each later one what the attempts before it left.
        const budget = info.attempt === 1 ? Option.map(total, Duration.toMillis) : left()
        const events = Guard.fromFeedEvents(Effect.provideService(
          client.prepare(target.request, {
            ...plan.options,
            dialect: plan.dialect,
            // The observer (and the stream metrics) tell fallbacks and hedges by this label; a
            // primary attempt keeps the plain upstream's labels.
            labels: role === "primary" ? { upstream: target.upstream } : { upstream: target.upstream, attempt: role },
            observer: plan.observer(info),
            policy: Option.isSome(budget) ? { total: Duration.millis(budget.value) } : {}
          }),
          RequestProfile.RequestProfile,
          profile
        ))
        const pull = Effect.mapError(yield* Scope.extend(Stream.toPull(events), own), Option.map(asRequestTotal))
        const running: Running<A> = { info, scope: own, pull }
        lastOpened = running
        return running
      })

    /**
     * Pulls until content (or the end), holding back the frames before it while another attempt
     * may still follow. The last possible attempt holds nothing back: its first pull is the
     * client's, as a plain upstream's always is.
     */
    const firstContent = (running: Running<A>) =>
      Effect.gen(function*() {
        const held: Array<StreamEvent.StreamEvent<A>> = []
        while (true) {
          const last = running.info.role !== "hedge" && running === lastOpened && next >= plan.targets.length
          const pulled = yield* Effect.either(running.pull)
          if (pulled._tag === "Left") {
            if (Option.isSome(pulled.left)) return yield* Effect.fail(pulled.left.value)
            return Chunk.unsafeFromArray(held)
          }
          if (last) return Chunk.appendAll(Chunk.unsafeFromArray(held), pulled.right)
          let waiting = false
          for (const event of pulled.right) {
            if (event._tag === "Chunk" || event._tag === "Done") {
              return Chunk.appendAll(Chunk.unsafeFromArray(held), pulled.right)
            }
            if (isHeartbeat(event)) waiting = true
            else held.push(event)
          }
          if (waiting) yield* plan.onWaiting
        }
      })

    const close = (running: Running<A>, result: string) =>
      Effect.suspend(() => {
        running.info.result = result
        return Effect.zipRight(Scope.close(running.scope, Exit.void), count(running.info))
      })
    const served = (running: Running<A>, events: Chunk.Chunk<StreamEvent.StreamEvent<A>>): Effect.Effect<Started<A>> =>
      Effect.suspend(() => {
        running.info.result = "served"
        return Effect.as(count(running.info), { served: running.info, attempts: tried, events, pull: running.pull })
      })
    const exhausted = (error: LlmClient.StreamError, upstream: string) =>
      new Exhausted({ error, upstream, attempts: tried })

    // A route without a hedge needs no fiber: one attempt at a time, in the request's own.
    const sequential = (role: Role): Effect.Effect<Started<A>, Exhausted> =>
      Effect.flatMap(open(role), (running) =>
        Effect.matchEffect(
          Effect.zipRight(Effect.sync(() => plan.opened?.(running.pull)), firstContent(running)),
          {
            onSuccess: (events) => served(running, events),
            onFailure: (error) =>
              Effect.zipRight(
                close(running, outcomeOf(error)),
                fallsBack(error) && canStart()
                  ? sequential("fallback")
                  : Effect.fail(exhausted(error, running.info.upstream))
              )
          }
        ))

    if (plan.maxHedges === 0 || Option.isNone(plan.hedgeAfter) || plan.targets.length === 1) {
      return yield* sequential("primary")
    }
    const hedgeAfter = plan.hedgeAfter.value
    const reports = yield* Queue.unbounded<Report<A>>()
    const running: Array<Running<A>> = []
    let hedges = 0
    let timer = 0
    let sleeping: Fiber.RuntimeFiber<unknown> | undefined

    const stopTimer = Effect.suspend(() => {
      const fiber = sleeping
      sleeping = undefined
      timer++
      return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
    })
    const launch = (role: Role) =>
      Effect.gen(function*() {
        const attempt = yield* open(role)
        running.push(attempt)
        // Forked in the attempt's scope: closing it (a lost race) interrupts the pull at once.
        yield* Effect.forkIn(
          Effect.flatMap(
            Effect.exit(firstContent(attempt)),
            (exit) => reports.offer({ _tag: "Settled", running: attempt, exit })
          ),
          attempt.scope
        )
        yield* stopTimer
        if (running.length === 1 && hedges < plan.maxHedges && next < plan.targets.length) {
          const id = timer
          sleeping = yield* Effect.fork(
            Effect.zipRight(Effect.sleep(hedgeAfter), reports.offer({ _tag: "Hedge", timer: id }))
          )
        }
      })
    const closeAll = (result: string) =>
      Effect.zipRight(stopTimer, Effect.forEach(running.splice(0), (other) => close(other, result), { discard: true }))

    yield* launch("primary")
    while (true) {
      const report = yield* reports.take
      if (report._tag === "Hedge") {
        if (report.timer === timer && running.length === 1 && canStart()) {
          hedges++
          yield* launch("hedge")
        }
        continue
      }
      const index = running.indexOf(report.running)
      if (index < 0) continue
      running.splice(index, 1)
      if (Exit.isSuccess(report.exit)) {
        yield* closeAll("cancelled")
        return yield* served(report.running, report.exit.value)
      }
      const failure = Cause.failureOption(report.exit.cause)
      if (Option.isNone(failure)) {
        // A defect or an interruption of the attempt's own fiber: not an upstream's failure.
        yield* closeAll("cancelled")
        return yield* Effect.failCause(report.exit.cause as Cause.Cause<never>)
      }
      const error = failure.value
      yield* close(report.running, outcomeOf(error))
      if (!fallsBack(error)) {
        yield* closeAll("cancelled")
        return yield* Effect.fail(exhausted(error, report.running.info.upstream))
      }
      if (running.length > 0) continue
      if (!canStart()) return yield* Effect.fail(exhausted(error, report.running.info.upstream))
      yield* launch("fallback")
    }
  })
