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
import type { BatchResponse } from "@streamguard/client"
import { LlmClient } from "@streamguard/client"
import { RequestProfile, TimeoutPolicy } from "@streamguard/core"
import * as Fallback from "@streamguard/kernel/client/Fallback"
import type { Array as Arr } from "effect"
import { Clock, Context, Duration, Effect, Layer, Option } from "effect"
import type { Scope } from "effect"
import { HttpServerResponse } from "effect/http"
import { Admission } from "../admission/Admission.js"
import type { Endpoint } from "../api/Endpoint.js"
import * as ErrorResponse from "../api/ErrorResponse.js"
import { GatewayConfig } from "../config/Config.js"
import type { Upstream } from "../config/Upstream.js"
import { Lifecycle } from "../lifecycle/Lifecycle.js"
import * as Attempt from "./Attempt.js"
import * as Failover from "./Failover.js"
import { asRequestBudget } from "./internal/requestBudget.js"
import type * as StreamLog from "./StreamLog.js"
import { StreamLog as StreamLogService } from "./StreamLog.js"

/**
 * One call to relay.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchRequest {
  readonly endpoint: Endpoint
  /** The route's upstreams, in order, each with its request (and the gateway's key for it). */
  readonly targets: Arr.NonEmptyReadonlyArray<Attempt.Target>
  /** The request's profile: its policy bounds the call (`request`), and its `pool` limit the admission. */
  readonly profile: RequestProfile.Service
  /** The route's first upstream: the call is admitted against its limits, until the upstream call's end. */
  readonly admitTo: Upstream
  readonly log: StreamLog.Origin
}

/** How a call ended, for its log line. */
type End = Pick<StreamLog.Record, "outcome" | "status" | "bytes" | "disconnect" | "endedBy" | "error">

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Relays one call in the request's scope: its answer, or its failure as a JSON error. */
  readonly call: (
    request: BatchRequest
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, Scope.Scope>
}

const make = Effect.gen(function*() {
  const config = yield* GatewayConfig
  const lifecycle = yield* Lifecycle
  const admission = yield* Admission
  const streamLog = yield* StreamLogService
  const client = yield* LlmClient.LlmClient
  const secrets = [...config.upstreamKeys.values()]
  const stopped = stoppedBy(lifecycle.stopSignal)

  const call = Effect.fnUntraced(function*(request: BatchRequest) {
    const clock = yield* Clock.Clock
    const startedAt = clock.currentTimeMillisUnsafe()
    // How the call ended; none when the client left before the answer, which interrupted it
    // (and so aborted the upstream call): the line then says so, as a relayed stream's does.
    let end: End | undefined
    const chain: Chain = { client, clock, startedAt, tried: [] }
    // Registered first, so it runs last: once the answer is written and the request let go of
    // its admission slots and its in-flight count, whichever way it ended.
    yield* Effect.addFinalizer(() =>
      streamLog.ended(
        lineOf(request, chain, end ?? { outcome: "interrupted", status: 499, bytes: 0, disconnect: "cancel" })
      )
    )
    yield* lifecycle.track
    // Past the shutdown's drain timeout a call still running ends as a stream does: shutting_down.
    const result = yield* Effect.scoped(
      Effect.andThen(admission.admit(request.admitTo), Effect.raceFirst(attempt(chain, request, 0), stopped))
    ).pipe(
      Effect.provideService(RequestProfile.RequestProfile, request.profile),
      Effect.result
    )
    if (result._tag === "Success") {
      end = { outcome: "done", status: result.success.status, bytes: result.success.text.length }
      return HttpServerResponse.text(result.success.text, {
        status: result.success.status,
        contentType: result.success.headers["content-type"] ?? "application/json"
      })
    }
    const error = ErrorResponse.fromFailure(result.failure, { upstream: lastUpstream(request, chain), secrets })
    end = {
      outcome: error.type,
      status: error.status,
      bytes: 0,
      endedBy: error.type === "shutting_down" ? "shutdown" : undefined,
      error: error.message
    }
    return ErrorResponse.toResponse(request.endpoint, error)
  })

  return Batch.of({ call })
})

/**
 * @since 0.1.0
 * @category services
 */
export class Batch extends Context.Service<Batch, Service>()("gateway/Batch") {
  /** Batch calls on the gateway's config, lifecycle, admission, client and end log. */
  static readonly layer: Layer.Layer<
    Batch,
    never,
    GatewayConfig | Lifecycle | Admission | LlmClient.LlmClient | StreamLogService
  > = Layer.effect(Batch, make)
}

/** Fails once the shutdown tells the requests still running to end. */
const stoppedBy = (signal: AbortSignal) =>
  Effect.callback<never, ErrorResponse.GatewayError>((resume) => {
    const stop = () => resume(Effect.fail(ErrorResponse.shuttingDown()))
    if (signal.aborted) return stop()
    signal.addEventListener("abort", stop, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", stop))
  })

/** One call's attempts: when it began (the `request` limit counts from there), and each attempt so far. */
interface Chain {
  readonly client: LlmClient.Service
  readonly clock: Clock.Clock
  readonly startedAt: number
  readonly tried: Array<Attempt.Attempt>
}

/**
 * Calls the route's upstream at `index`, and, when it fails in a way another may mend
 * (`Failover.fallsBack`) and some of the `request` limit is left, the next. Each attempt shares
 * the limit: the first has the whole of it, each later one what the attempts before it left.
 */
const attempt = (
  chain: Chain,
  request: BatchRequest,
  index: number
): Effect.Effect<BatchResponse.BatchResponse, LlmClient.BatchError, RequestProfile.RequestProfile> =>
  Effect.suspend(() => {
    const target = request.targets[index]!
    const info: Attempt.Attempt = {
      upstream: target.upstream,
      attempt: index + 1,
      role: index === 0 ? "primary" : "fallback",
      result: "pending"
    }
    chain.tried.push(info)
    const budget = TimeoutPolicy.limit(request.profile.policy, "request")
    const elapsed = () => chain.clock.currentTimeMillisUnsafe() - chain.startedAt
    /** What is left of the `request` limit now. */
    const left = () => Option.map(budget, (limit) => Fallback.leftMillis(Duration.toMillis(limit), elapsed()))
    const budgetLeft = Option.map(
      budget,
      (limit) => Fallback.shareMillis(Duration.toMillis(limit), elapsed(), index + 1)
    )
    const policy = Option.isSome(budgetLeft) ? { request: Duration.millis(budgetLeft.value) } : {}
    return chain.client.batch(target.request, { policy }).pipe(
      // Its `request` timeout is told as the request's; its other failures are its own.
      Effect.mapError((error) => Option.isNone(budget) ? error : asRequestBudget(error, budget.value, elapsed())),
      Effect.tap(() => {
        info.result = "served"
        return Attempt.count(info)
      }),
      Effect.catch((error) => {
        info.result = Attempt.outcomeOf(error)
        // No attempt starts once the budget is spent.
        const more = index + 1 < request.targets.length && Option.getOrElse(left(), () => 1) > 0 &&
          Failover.fallsBack(error)
        return Effect.andThen(Attempt.count(info), more ? attempt(chain, request, index + 1) : Effect.fail(error))
      })
    )
  })

/** The upstream that answered, or the last one tried (the route's first when none was). */
const lastUpstream = (request: BatchRequest, chain: Chain): string =>
  chain.tried[chain.tried.length - 1]?.upstream ?? request.log.upstream

/** The call's log line. */
const lineOf = (request: BatchRequest, chain: Chain, end: End): StreamLog.Record => ({
  ...request.log,
  stream: false,
  ttfcMs: undefined,
  chunks: 0,
  durationMs: chain.clock.currentTimeMillisUnsafe() - chain.startedAt,
  upstream: lastUpstream(request, chain),
  attempts: chain.tried.length,
  tried: chain.tried.length > 1 ? chain.tried : undefined,
  ...end
})
