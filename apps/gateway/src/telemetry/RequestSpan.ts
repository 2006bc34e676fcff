/**
 * One span per proxied request, a relayed stream or a non-streamed call, when traces are on.
 *
 * The request's phases are gathered while it runs, by a `StreamObserver` of its own composed with
 * the metrics one, and the span is written once, when the request's end is logged: its start, its
 * phase events and its end at their own times, the outcome and what flowed as attributes. So a
 * request holds a short list of its phases meanwhile, never an open span, and one that never
 * reaches an upstream (refused by auth, a bad body, an unknown model) leaves no span.
 *
 * A span holds names the gateway chose (endpoint, profile, upstream) and the client's model and
 * request id: never a key, an upstream's address or an error's text.
 *
 * @since 0.1.0
 */
import type { Attributes, SpanContext, Tracer } from "@opentelemetry/api"
import { isSpanContextValid, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api"
import { StreamObserver } from "@streamguard/core"
import { Clock, Context, Effect, Option } from "effect"
import type { HttpServerResponse } from "effect/http"
import { HttpServerRequest } from "effect/http"
import type * as StreamLog from "../relay/StreamLog.js"
import * as Metrics from "./Metrics.js"

/**
 * One phase of a request, as a span event.
 *
 * @since 0.1.0
 * @category models
 */
export interface Phase {
  /** `started`, `retrying`, `opened`, `first_chunk` or `ended`. */
  readonly name: string
  /** In Clock millis. */
  readonly time: number
  readonly attributes: Attributes
}

/**
 * What a request's span gathers while the request runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pending {
  /** When the gateway took the request, in Clock millis. */
  readonly startedAt: number
  /** The caller's span, from its `traceparent` header: the request's span is its child. */
  readonly parent: SpanContext | undefined
  readonly phases: Array<Phase>
}

/**
 * The pending span of the request being served.
 *
 * @since 0.1.0
 * @category tags
 */
export class RequestSpan extends Context.Service<RequestSpan, Pending>()("gateway/RequestSpan") {}

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-|$)/

/**
 * The caller's span from a W3C `traceparent` header; undefined when absent or invalid.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseTraceparent = (header: string | undefined): SpanContext | undefined => {
  const match = header === undefined ? null : traceparentPattern.exec(header.trim())
  if (match === null || match[1] === "ff" || (match[1] === "00" && header!.trim().length !== 55)) return undefined
  const context: SpanContext = {
    traceId: match[2]!,
    spanId: match[3]!,
    traceFlags: parseInt(match[4]!, 16) & 1,
    isRemote: true
  }
  return isSpanContextValid(context) ? context : undefined
}

const push = (pending: Pending, phase: Phase): Effect.Effect<void> => Effect.sync(() => pending.phases.push(phase))

const streamAttributes = (stream: StreamObserver.StreamInfo): Attributes => ({
  "streamguard.stream_id": stream.id,
  ...(stream.labels["upstream"] === undefined ? {} : { "streamguard.upstream": stream.labels["upstream"] })
})

/**
 * The observer that records a request's stream phases as span events: each upstream attempt's
 * start, its retries, the response opening (headers), the first chunk and the end with its outcome.
 * Batches of events are not recorded.
 *
 * @since 0.1.0
 * @category observers
 */
export const observer = (pending: Pending): StreamObserver.Service => ({
  started: (stream) => push(pending, { name: "started", time: stream.startedAt, attributes: streamAttributes(stream) }),
  opened: (stream, openedAfterMillis) =>
    push(pending, {
      name: "opened",
      time: stream.startedAt + openedAfterMillis,
      attributes: { ...streamAttributes(stream), "streamguard.opened_after_ms": openedAfterMillis }
    }),
  received: () => Effect.void,
  firstChunk: (stream, millis) =>
    push(pending, {
      name: "first_chunk",
      time: stream.startedAt + millis,
      attributes: { ...streamAttributes(stream), "streamguard.time_to_first_chunk_ms": millis }
    }),
  retrying: (stream, retrying) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      push(pending, {
        name: "retrying",
        time: now,
        attributes: {
          ...streamAttributes(stream),
          "streamguard.attempt": retrying.attempt,
          "streamguard.outcome": retrying.outcome,
          "streamguard.retry_delay_ms": retrying.delayMillis
        }
      })),
  ended: (stream, ended) =>
    push(pending, {
      name: "ended",
      time: stream.startedAt + ended.durationMillis,
      attributes: {
        ...streamAttributes(stream),
        "streamguard.outcome": ended.outcome,
        "streamguard.chunks": ended.chunks,
        "streamguard.bytes": ended.bytes
      }
    })
})

/**
 * Gives each request a pending span and, for its streams, an observer that records their phases
 * beside the one in context (the metrics). Installed only when traces are on.
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const pending: Pending = {
      startedAt: yield* Clock.currentTimeMillis,
      parent: parseTraceparent(request.headers["traceparent"]),
      phases: []
    }
    const ambient = yield* StreamObserver.StreamObserver
    return yield* app.pipe(
      Effect.provideService(RequestSpan, pending),
      Effect.provideService(StreamObserver.StreamObserver, {
        ...StreamObserver.combine(ambient, observer(pending)),
        // The span records no batch of events: each network read goes to the ambient observer alone.
        received: ambient.received
      })
    )
  })

/**
 * A span's attributes from the request's end record: the GenAI operation, provider and model, the
 * gateway's names, the outcome (`error.type` too, unless `done`), the status and what flowed.
 *
 * @since 0.1.0
 * @category attributes
 */
export const attributesOf = (record: StreamLog.Record): Attributes => {
  const attributes: Attributes = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": Metrics.providerOf(record.endpoint),
    "gen_ai.request.model": record.model,
    "http.response.status_code": record.status,
    "streamguard.request_id": record.requestId,
    "streamguard.endpoint": record.endpoint,
    "streamguard.profile": record.profile,
    "streamguard.upstream": record.upstream,
    "streamguard.stream": record.stream,
    "streamguard.outcome": record.outcome,
    "streamguard.chunks": record.chunks,
    "streamguard.bytes": record.bytes,
    "streamguard.duration_ms": record.durationMs
  }
  if (record.outcome !== "done") attributes["error.type"] = record.outcome
  if (record.ttfcMs !== undefined) attributes["streamguard.time_to_first_chunk_ms"] = record.ttfcMs
  if (record.keepalives !== undefined) attributes["streamguard.keepalives"] = record.keepalives
  if (record.disconnect !== undefined) attributes["streamguard.disconnect"] = record.disconnect
  if (record.endedBy !== undefined) attributes["streamguard.ended_by"] = record.endedBy
  return attributes
}

/**
 * Writes the span of the request that ended with `record`: from the pending span in context (its
 * start, its parent, its phases), or, outside a request, from the record's duration alone. A
 * request whose streams told no end (a non-streamed call, a stream refused before it started)
 * gets its `ended` event now.
 *
 * @since 0.1.0
 * @category constructors
 */
export const end = (tracer: Tracer, record: StreamLog.Record): Effect.Effect<void> =>
  Effect.flatMap(Effect.serviceOption(RequestSpan), (found) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const pending = Option.getOrUndefined(found)
      const parent = pending?.parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, pending.parent)
      const span = tracer.startSpan(`chat ${record.model}`, {
        kind: SpanKind.SERVER,
        startTime: pending?.startedAt ?? now - record.durationMs,
        attributes: attributesOf(record)
      }, parent)
      const phases = pending?.phases ?? []
      for (const phase of phases) span.addEvent(phase.name, phase.attributes, phase.time)
      if (!phases.some((phase) => phase.name === "ended")) {
        span.addEvent("ended", { "streamguard.outcome": record.outcome }, now)
      }
      if (record.outcome !== "done") span.setStatus({ code: SpanStatusCode.ERROR, message: record.outcome })
      span.end(now)
    }))
