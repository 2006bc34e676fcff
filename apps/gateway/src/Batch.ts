/**
 * A non-streamed call: the upstream's one response relayed as it came (status, body, content
 * type), or the failure as a JSON error in the client's dialect, and its log line, also when the
 * client leaves before the answer. The call is bounded by its profile's `request` limit (headers
 * and body together, never by `chunk`) and counts in the in-flight gauge while it runs. A failure
 * another upstream may mend (`Failover.fallsBack`) moves on to the route's next upstream, within
 * what is left of the `request` limit; non-streamed calls are not hedged.
 *
 * @since 0.1.0
 */
import { HttpServerResponse } from "@effect/platform"
import type { BatchResponse } from "@streamguard/client"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import type { Array as Arr, Scope } from "effect"
import { Duration, Effect, Either, Option } from "effect"
import { GatewayConfig } from "./Config.js"
import * as ErrorResponse from "./ErrorResponse.js"
import * as Failover from "./Failover.js"
import { count } from "./internal/attemptCount.js"
import { asRequestBudget } from "./internal/requestBudget.js"
import { Lifecycle } from "./Lifecycle.js"
import type * as StreamLog from "./StreamLog.js"
import { StreamLog as StreamLogService } from "./StreamLog.js"

/**
 * One call to relay.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchRequest {
  readonly endpoint: ErrorResponse.Endpoint
  /** The route's upstreams, in order, each with its request (and the gateway's key for it). */
  readonly targets: Arr.NonEmptyReadonlyArray<Failover.Target>
  /** The request's profile: its policy bounds the call (`request`). */
  readonly profile: RequestProfile.Service
  /** Takes the admission slots, held until the upstream call's end. */
  readonly admit: Effect.Effect<void, ErrorResponse.GatewayError, Scope.Scope>
  readonly log: StreamLog.Origin
}

/**
 * @since 0.1.0
 * @category services
 */
export class Batch extends Effect.Service<Batch>()("gateway/Batch", {
  effect: Effect.gen(function*() {
    const config = yield* GatewayConfig
    const lifecycle = yield* Lifecycle
    const streamLog = yield* StreamLogService
    const client = yield* LlmClient.LlmClient
    const secrets = [...config.upstreamKeys.values()]
    /** Fails once the shutdown tells the requests still running to end. */
    const stopped = Effect.async<never, ErrorResponse.GatewayError>((resume) => {
      const stop = () => resume(Effect.fail(ErrorResponse.shuttingDown()))
      if (lifecycle.stopSignal.aborted) return stop()
      lifecycle.stopSignal.addEventListener("abort", stop, { once: true })
      return Effect.sync(() => lifecycle.stopSignal.removeEventListener("abort", stop))
    })

    const call = Effect.fnUntraced(function*(request: BatchRequest) {
      const clock = yield* Effect.clock
      const startedAt = clock.unsafeCurrentTimeMillis()
      // How the call ended; none when the client left before the answer, which interrupted it
      // (and so aborted the upstream call): the line then says so, as a relayed stream's does.
      let end: Pick<StreamLog.Record, "outcome" | "status" | "bytes" | "endedBy" | "error"> | undefined
      const tried: Array<Failover.Attempt> = []
      // Registered first, so it runs last: once the answer is written and the request let go of
      // its admission slots and its in-flight count, whichever way it ended.
      yield* Effect.addFinalizer(() =>
        streamLog.ended({
          ...request.log,
          stream: false,
          ttfcMs: undefined,
          chunks: 0,
          durationMs: clock.unsafeCurrentTimeMillis() - startedAt,
          upstream: tried[tried.length - 1]?.upstream ?? request.log.upstream,
          attempts: tried.length,
          tried: tried.length > 1 ? tried : undefined,
          ...(end ?? { outcome: "interrupted", status: 499, bytes: 0, disconnect: "cancel" })
        })
      )
      yield* lifecycle.track
      // Past the shutdown's drain timeout a call still running ends as a stream does: shutting_down.
      const budget = TimeoutPolicy.limit(request.profile.policy, "request")
      // What is left of the `request` limit now: every attempt shares it.
      const left = () =>
        Option.map(budget, (limit) => Duration.toMillis(limit) - (clock.unsafeCurrentTimeMillis() - startedAt))
      const attempt = (
        index: number
      ): Effect.Effect<BatchResponse.BatchResponse, LlmClient.BatchError, RequestProfile.RequestProfile> =>
        Effect.suspend(() => {
          const target = request.targets[index]!
          const info: Failover.Attempt = {
            upstream: target.upstream,
            attempt: index + 1,
            role: index === 0 ? "primary" : "fallback",
            result: "pending"
          }
          tried.push(info)
          // The first attempt has the whole limit; each later one what the attempts before it left.
          const budgetLeft = index === 0 ? Option.map(budget, Duration.toMillis) : left()
          const policy = Option.isSome(budgetLeft) ? { request: Duration.millis(budgetLeft.value) } : {}
          return client.batch(target.request, { policy }).pipe(
            // Its `request` timeout is told as the request's; its other failures are its own.
            Effect.mapError((error) =>
              Option.isNone(budget)
                ? error
                : asRequestBudget(error, budget.value, clock.unsafeCurrentTimeMillis() - startedAt)
            ),
            Effect.tap(() => {
              info.result = "served"
              return count(info)
            }),
            Effect.catchAll((error) => {
              info.result = Failover.outcomeOf(error)
              // No attempt starts once the budget is spent.
              const more = index + 1 < request.targets.length && Option.getOrElse(left(), () => 1) > 0 &&
                Failover.fallsBack(error)
              return Effect.zipRight(count(info), more ? attempt(index + 1) : Effect.fail(error))
            })
          )
        })
      // Past the shutdown's drain timeout a call still running ends as a stream does: shutting_down.
      const result = yield* Effect.scoped(
        Effect.zipRight(request.admit, Effect.raceFirst(attempt(0), stopped))
      ).pipe(
        Effect.provideService(RequestProfile.RequestProfile, request.profile),
        Effect.either
      )
      if (Either.isRight(result)) {
        end = { outcome: "done", status: result.right.status, bytes: result.right.text.length }
        return HttpServerResponse.text(result.right.text, {
          status: result.right.status,
          contentType: result.right.headers["content-type"] ?? "application/json"
        })
      }
      const error = ErrorResponse.fromFailure(result.left, {
        upstream: tried[tried.length - 1]?.upstream ?? request.log.upstream,
        secrets
      })
      end = {
        outcome: error.type,
        status: error.status,
        bytes: 0,
        endedBy: error.type === "shutting_down" ? "shutdown" : undefined,
        error: error.message
      }
      return ErrorResponse.toResponse(request.endpoint, error)
    })

    return { call } as const
  })
}) {}
