/**
 * A recorded stream played through the real client and guard: the transcript's bytes, cut into
 * their events, are the response body of an in-memory upstream, so the timeline and the counts
 * are the ones a live stream of those bytes would give.
 *
 * @since 0.1.0
 */
import * as LlmClient from "@streamguard/client/LlmClient"
import * as RequestProfile from "@streamguard/core/RequestProfile"
import * as TimeoutPolicy from "@streamguard/core/TimeoutPolicy"
import type { DialectName } from "@streamguard/protocols/Dialect"
import * as Dialects from "@streamguard/protocols/Dialects"
import * as Transcript from "@streamguard/simulator/Transcript"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Timeline from "./Timeline.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The recorded response body, byte for byte. */
  readonly transcript: Uint8Array
  readonly dialect: Exclude<DialectName, "sse">
  /** The wait before each event. Default none. */
  readonly gap?: Duration.Input | undefined
  /** The limits to replay under. Default none. */
  readonly policy?: TimeoutPolicy.TimeoutPolicy | undefined
}

const encoder = new TextEncoder()

/** An upstream that answers any request with the transcript, one event per body chunk. */
const upstream = (options: Options) =>
  HttpClient.make((request) =>
    Effect.gen(function*() {
      const dialect = Dialects.byName[options.dialect]
      const gap = Duration.fromInputUnsafe(options.gap ?? Duration.zero)
      const events = Stream.fromIterable(Transcript.events(options.transcript, dialect.framing)).pipe(
        Stream.map((event) => encoder.encode(event)),
        Duration.isZero(gap) ? (s) => s : Stream.tap(() => Effect.sleep(gap))
      )
      const body = yield* Stream.toReadableStreamEffect(events)
      return HttpClientResponse.fromWeb(
        request,
        new Response(body, { status: 200, headers: { "content-type": dialect.contentType } })
      )
    })
  )

/**
 * Replays the transcript as one run; `onStep` hears each step.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  options: Options,
  onStep: (step: Timeline.Step) => Effect.Effect<void>
): Effect.Effect<Timeline.Run> =>
  Effect.gen(function*() {
    const recorder = yield* Timeline.recorder(1, onStep)
    const dialect = Dialects.byName[options.dialect]
    yield* LlmClient.streamEvents(
      // The in-memory upstream answers any request: nothing leaves the process.
      HttpClientRequest.post("http://transcript.invalid/"),
      { dialect, observer: recorder.observer }
    ).pipe(Stream.runDrain, Effect.ignore)
    return yield* recorder.run
  }).pipe(
    Effect.provide(Layer.mergeAll(
      LlmClient.layer().pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, upstream(options)))),
      RequestProfile.layer("replay", options.policy ?? TimeoutPolicy.empty)
    ))
  )
