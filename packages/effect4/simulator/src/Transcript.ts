/**
 * A recorded provider stream as a scenario: its bytes cut into events, played back event by
 * event at a chosen pace, so a client's timeouts can be tested against what a provider really
 * sent (the repository's `fixtures/transcripts` are such recordings). The kernel's, shared by
 * every Effect line; here the pace also takes any Effect `Duration.Input`.
 *
 * @since 0.1.0
 */
import type * as Scenario from "@streamguard/kernel/simulator/Scenario"
import type * as Step from "@streamguard/kernel/simulator/Step"
import * as Kernel from "@streamguard/kernel/simulator/Transcript"
import type * as Duration from "effect/Duration"
import { durationInput } from "./internal/durationInput.js"

export {
  /**
   * A recorded body cut into its events, each with its own framing bytes (SSE: up to and including
   * the blank line that dispatches it; NDJSON: one line with its line ending). Concatenated, the
   * events are the bytes given.
   *
   * @since 0.1.0
   * @category constructors
   */
  events
} from "@streamguard/kernel/simulator/Transcript"

/**
 * Options of `replay`: the pace and how the bytes are framed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplayOptions {
  /** The wait before every event (the first included). Default none. */
  readonly gap?: Duration.Input | Step.DurationInput | undefined
  /** The wait before each event, by index; events past the end use `gap`. */
  readonly gaps?: ReadonlyArray<Duration.Input | Step.DurationInput> | undefined
  /** `sse` (events end at a blank line) or `ndjson` (one per line). Default: told from the bytes. */
  readonly framing?: "sse" | "ndjson" | undefined
}

const pace = (input: Duration.Input | Step.DurationInput | undefined) =>
  input === undefined ? undefined : durationInput(input)

/**
 * A recorded provider stream played back byte for byte, one event at a time, with `gap` (or
 * `gaps[i]`) before each: `replay(bytes, { gap: "2 seconds" })` replays a transcript at a pace a
 * `chunk` limit can be tested against, and under `TestClock` takes no real time. Nothing is added:
 * no opening frames, no done. Bytes without the dialect's done end as a truncated answer does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const replay = (transcript: string | Uint8Array, options: ReplayOptions = {}): Scenario.Scenario =>
  Kernel.replay(transcript, {
    gap: pace(options.gap),
    gaps: options.gaps?.map((gap) => durationInput(gap)),
    framing: options.framing
  })
