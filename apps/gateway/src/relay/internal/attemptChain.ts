/**
 * The attempts of one streamed request, as `Failover`'s two runners share them: which upstream is
 * next, every attempt so far and how it ended, and what is left of the request's `total` budget.
 * An attempt opens in a scope of its own, forked from the upstream's (so the winner lives as long
 * as that scope does, and a loser's close aborts its request at once), is given what the attempts
 * before it left of the budget, and is pulled until its first content, the frames before it held
 * back while another attempt may still follow.
 *
 * @internal
 */
import { LlmClient } from "@streamguard/client"
import type { StreamEvent } from "@streamguard/core"
import { Guard, RequestProfile, TimeoutPolicy } from "@streamguard/core"
import * as Fallback from "@streamguard/kernel/client/Fallback"
import type { Dialect } from "@streamguard/protocols"
import { Cause, Channel, Clock, Duration, Effect, Exit, Option, Scope } from "effect"
import * as Attempt from "../Attempt.js"
import { asRequestBudget } from "./requestBudget.js"

/**
 * An attempt that opened: its scope, and the pull of its guarded stream.
 *
 * @internal
 */
export interface Running<A> {
  readonly info: Attempt.Attempt
  readonly scope: Scope.Closeable
  readonly pull: Attempt.Pull<A>
}

/**
 * What a chain tries: the route's upstreams in order, and the dialect of their streams.
 *
 * @internal
 */
export interface Upstreams<A> {
  readonly targets: ReadonlyArray<Attempt.Target>
  readonly dialect: Dialect.Dialect<A>
}

/** A payload-less keepalive: the guard's heartbeat, not an upstream frame. */
const isHeartbeat = <A>(event: StreamEvent.StreamEvent<A>): boolean =>
  event._tag === "Keepalive" && event.bytes === 0 && event.value === undefined

/**
 * One request's chain of attempts.
 *
 * @internal
 */
export class AttemptChain<A> {
  /** Every attempt, in the order they started. */
  readonly tried: Array<Attempt.Attempt> = []
  private next = 0
  private lastOpened: Running<A> | undefined = undefined
  private readonly startedAt: number
  private readonly total: Option.Option<Duration.Duration>

  constructor(
    private readonly plan: Upstreams<A>,
    readonly link: Attempt.Link<A>,
    /** The upstream's scope: each attempt's is forked from it. */
    private readonly scope: Scope.Scope,
    private readonly client: LlmClient.Service,
    private readonly profile: RequestProfile.Service,
    private readonly clock: Clock.Clock
  ) {
    this.startedAt = clock.currentTimeMillisUnsafe()
    this.total = TimeoutPolicy.limit(profile.policy, "total")
  }

  /** The chain of `plan`'s upstreams, under the client and profile in context. */
  static make<A>(
    plan: Upstreams<A>,
    link: Attempt.Link<A>,
    scope: Scope.Scope
  ): Effect.Effect<AttemptChain<A>, never, LlmClient.LlmClient | RequestProfile.RequestProfile> {
    return Effect.gen(function*() {
      const client = yield* LlmClient.LlmClient
      const profile = yield* RequestProfile.RequestProfile
      return new AttemptChain(plan, link, scope, client, profile, yield* Clock.Clock)
    })
  }

  /** Whether an upstream is left to try. */
  get hasNext(): boolean {
    return this.next < this.plan.targets.length
  }

  /** Whether another attempt may start: an upstream is left, and some of the `total` budget. */
  canStart(): boolean {
    return this.hasNext && Option.getOrElse(this.left(), () => 1) > 0
  }

  /** Opens the next upstream's attempt, started for `role`. */
  open(role: Attempt.Role): Effect.Effect<Running<A>> {
    return Effect.suspend(() => {
      const target = this.plan.targets[this.next++]!
      const info: Attempt.Attempt = {
        upstream: target.upstream,
        attempt: this.tried.length + 1,
        role,
        result: "pending"
      }
      this.tried.push(info)
      // The first attempt has the whole budget; each later one what the attempts before it left.
      const budget = Option.map(
        this.total,
        (limit) => Fallback.shareMillis(Duration.toMillis(limit), this.elapsed(), info.attempt)
      )
      const events = Guard.fromFeedEvents(Effect.provideService(
        Effect.map(
          this.client.prepare(target.request, {
            ...this.link.options,
            dialect: this.plan.dialect,
            // The observer (and the stream metrics) tell fallbacks and hedges by this label; a
            // primary attempt keeps the plain upstream's labels.
            labels: role === "primary" ? { upstream: target.upstream } : { upstream: target.upstream, attempt: role },
            observer: this.link.observe(info),
            policy: Option.isSome(budget) ? { total: Duration.millis(budget.value) } : {}
          }),
          (setup) => this.watched(setup, info)
        ),
        RequestProfile.RequestProfile,
        this.profile
      ))
      return Effect.flatMap(Scope.fork(this.scope, "sequential"), (own) =>
        // The channel's own pull, in the attempt's scope: `Stream.toPull` would add a semaphore and
        // a context to every pull, and one pull runs per network read.
        Effect.map(Channel.toPullScoped(events.channel, own), (pull) => {
          const running: Running<A> = {
            info,
            scope: own,
            pull: Effect.mapError(pull, (error) => this.asRequestTotal(error))
          }
          this.lastOpened = running
          return running
        }))
    })
  }

  /** The setup whose transport tells the link its guard as it starts, once per attempt. */
  private watched(
    setup: Guard.FeedSetup<A, LlmClient.StreamError, never>,
    info: Attempt.Attempt
  ): Guard.FeedSetup<A, LlmClient.StreamError, never> {
    const link = this.link
    if (link.watch === undefined) return setup
    return {
      ...setup,
      open: (feed) => {
        link.watch!(info, feed)
        return setup.open(feed)
      }
    }
  }

  /**
   * Pulls until content (or the end), holding back the frames before it while another attempt
   * may still follow. The last possible attempt holds nothing back: its first pull is the
   * client's, as a plain upstream's always is. A heartbeat before content tells the link.
   */
  firstContent(
    running: Running<A>
  ): Effect.Effect<ReadonlyArray<StreamEvent.StreamEvent<A>>, LlmClient.StreamError> {
    return Effect.gen({ self: this }, function*() {
      const held: Array<StreamEvent.StreamEvent<A>> = []
      while (true) {
        const last = running.info.role !== "hedge" && running === this.lastOpened && !this.hasNext
        const pulled = yield* Effect.result(running.pull)
        if (pulled._tag === "Failure") {
          if (Cause.isDone(pulled.failure)) return held
          return yield* Effect.fail(pulled.failure)
        }
        if (last) return held.length === 0 ? pulled.success : [...held, ...pulled.success]
        let waiting = false
        for (const event of pulled.success) {
          if (event._tag === "Chunk" || event._tag === "Done") {
            return held.length === 0 ? pulled.success : [...held, ...pulled.success]
          }
          if (isHeartbeat(event)) waiting = true
          else held.push(event)
        }
        if (waiting) yield* this.link.waiting
      }
    })
  }

  /** Ends an attempt that did not serve (it failed, or lost a race): closes its scope and counts it. */
  close(running: Running<A>, result: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      running.info.result = result
      return Effect.andThen(Scope.close(running.scope, Exit.void), Attempt.count(running.info))
    })
  }

  /** Marks the attempt whose stream is the client's, and counts it. */
  serve(running: Running<A>): Effect.Effect<void> {
    return Effect.suspend(() => {
      running.info.result = "served"
      return Attempt.count(running.info)
    })
  }

  /** What is left of `total` now; none: no limit. */
  private left(): Option.Option<number> {
    return Option.map(this.total, (limit) => Fallback.leftMillis(Duration.toMillis(limit), this.elapsed()))
  }

  private elapsed(): number {
    return this.clock.currentTimeMillisUnsafe() - this.startedAt
  }

  /** An attempt's `total` timeout told as the request's; its other failures are its own. */
  private asRequestTotal<E>(error: E): E {
    return Option.isNone(this.total) ? error : asRequestBudget(error, this.total.value, this.elapsed())
  }
}
