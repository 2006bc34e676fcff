/**
 * A non-streamed call: the upstream's one response relayed as it came (status, body, content
 * type), or the failure as a JSON error in the client's dialect, and its log line, also when the
 * client leaves before the answer. The call is bounded by its profile's `request` limit (headers
 * and body together, never by `chunk`) and counts in the in-flight gauge while it runs.
 *
 * @since 0.1.0
 */
import type { HttpClientRequest } from "@effect/platform"
import { HttpServerResponse } from "@effect/platform"
import { LlmClient } from "@streamguard/client"
import { RequestProfile } from "@streamguard/core"
import type { Scope } from "effect"
import { Effect, Either } from "effect"
import { GatewayConfig } from "./Config.js"
import * as ErrorResponse from "./ErrorResponse.js"
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
  /** The request to the upstream, with the gateway's key for it. */
  readonly upstream: HttpClientRequest.HttpClientRequest
  /** The request's profile: its policy bounds the call (`request`). */
  readonly profile: RequestProfile.Service
  /** Takes the admission slots, held until the call's end. */
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

    const call = Effect.fnUntraced(function*(request: BatchRequest) {
      const clock = yield* Effect.clock
      const startedAt = clock.unsafeCurrentTimeMillis()
      const logEnd = (end: Pick<StreamLog.Record, "outcome" | "status" | "bytes" | "disconnect" | "error">) =>
        streamLog.ended({
          ...request.log,
          stream: false,
          ttfcMs: undefined,
          chunks: 0,
          durationMs: clock.unsafeCurrentTimeMillis() - startedAt,
          ...end
        })
      // In flight (and holding its admission slots) until the call ends; the line is written after.
      const result = yield* Effect.scoped(
        Effect.zipRight(Effect.zipRight(lifecycle.track, request.admit), client.batch(request.upstream))
      ).pipe(
        Effect.provideService(RequestProfile.RequestProfile, request.profile),
        Effect.either,
        // The client left before the answer: its request fiber is interrupted, which aborted the
        // upstream call; the line says so, as a relayed stream's does.
        Effect.onInterrupt(() =>
          logEnd({ outcome: "interrupted", status: 499, bytes: 0, disconnect: "cancel", error: undefined })
        )
      )
      const error = Either.isLeft(result)
        ? ErrorResponse.fromFailure(result.left, { upstream: request.log.upstream, secrets })
        : undefined
      yield* logEnd({
        outcome: error === undefined ? "done" : error.type,
        status: Either.isRight(result) ? result.right.status : error!.status,
        bytes: Either.isRight(result) ? result.right.text.length : 0,
        disconnect: undefined,
        error: error?.message
      })
      if (Either.isLeft(result)) return ErrorResponse.toResponse(request.endpoint, error!)
      return HttpServerResponse.text(result.right.text, {
        status: result.right.status,
        contentType: result.right.headers["content-type"] ?? "application/json"
      })
    })

    return { call } as const
  })
}) {}
