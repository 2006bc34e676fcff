/**
 * What an Effect line implements for the behavioural suite to run it: a few Promise-returning
 * functions over plain data. No Effect type crosses this boundary, so a line on any Effect major
 * can implement it with its own runtime, `TestClock` and clients, and the suite stays the same.
 *
 * @since 0.1.0
 */
import type { StreamOutcome } from "@streamguard/kernel/StreamOutcome"
import type { Policy, PolicySpec } from "./Policy.js"
import type { Upstream } from "./Script.js"

/**
 * How a case's upstream is reached:
 *
 * - `guard`: the script as a stream of the line's `StreamEvent`s (content as `Chunk`s whose
 *   value tells reasoning apart, through the guard's `isReasoning`), guarded by `Guard.guard`
 *   under the case's policy, the consumer reading the content.
 * - `stream`: the line's `LlmClient.stream` over its in-memory `TestUpstream`, in the
 *   `openaiChat` dialect, with the case's policy as the `RequestProfile` in context.
 * - `batch`: the line's `LlmClient.batch` over the same upstream (a non-streamed call).
 *
 * @since 0.1.0
 * @category models
 */
export type Via = "guard" | "stream" | "batch"

/**
 * What the consumer does with the stream:
 *
 * - `Drain`: reads everything.
 * - `Take`: takes the first `count` content values and stops (`Stream.take`).
 * - `Interrupt`: reads until it has `afterCount` content values, then takes no more (it waits
 *   with the last one) and its fiber is interrupted from outside.
 *
 * @since 0.1.0
 * @category models
 */
export type Consumer =
  | { readonly _tag: "Drain" }
  | { readonly _tag: "Take"; readonly count: number }
  | { readonly _tag: "Interrupt"; readonly afterCount: number }

/**
 * One stream (or batch call) to run under the `TestClock`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Case {
  readonly upstream: Upstream
  readonly policy: PolicySpec
  /** Default: `Drain`. */
  readonly consumer?: Consumer | undefined
}

/**
 * How the consumer's run ended: `success`, or the `outcome` of the typed error it failed with
 * (every StreamGuard error has one), `interrupted` when its fiber was interrupted, `other` for
 * anything else (a defect, an error with no outcome).
 *
 * @since 0.1.0
 * @category models
 */
export type Result = "success" | StreamOutcome | "other"

/**
 * How one stream ended.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ending {
  readonly result: Result
  /** The failure as the line shows it (its tag and message), or `""`: for the suite's messages only. */
  readonly detail: string
  /**
   * The outcome the line's `StreamObserver` was told, once, when the stream ended; `undefined` when
   * it was told none.
   */
  readonly observed: StreamOutcome | undefined
  /**
   * Every content value the consumer received, in order: an answer chunk's text, a reasoning
   * chunk's reasoning text; for a batch call, the answer's message content.
   */
  readonly content: ReadonlyArray<string>
}

/**
 * How one stream ended under the `TestClock`, and when.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ended extends Ending {
  /** When the consumer's run ended: the `Clock`'s milliseconds since the case started. */
  readonly atMillis: number
  /**
   * When the upstream was let go of, in the same milliseconds: under the guard, when the scripted
   * stream's scope closed; under the client, when the in-memory upstream saw the client close the
   * request (or, when it finished its answer first, when it did). `undefined` if it never was.
   */
  readonly upstreamReleasedAtMillis: number | undefined
}

/**
 * What the consumer had at one probe.
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  readonly atMillis: number
  readonly running: boolean
  /** The content the consumer had received by then. */
  readonly content: ReadonlyArray<string>
}

/**
 * One case's run: its snapshot at each probe, and how it ended (`undefined` when it was still
 * running at the last probe: it is then interrupted, and that end is not reported).
 *
 * @since 0.1.0
 * @category models
 */
export interface Run {
  readonly snapshots: ReadonlyArray<Snapshot>
  readonly ended: Ended | undefined
}

/**
 * One streamed call to a real upstream.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveCall {
  /**
   * Where to POST a streamed `openaiChat` request (`{ "model": "m", "stream": true, "messages": [...] }`);
   * the answer is decoded in the `openaiChat` dialect.
   */
  readonly url: string
  readonly policy: Policy
  readonly consumer: Consumer
}

/**
 * The line's `LlmClient` on real sockets (its undici client), held for a whole describe block as
 * an application holds it: its connections are not torn down between calls, so a close the
 * upstream sees is the client's own doing.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveClient {
  readonly stream: (call: LiveCall) => Promise<Ending>
  /** Releases the client (its connection pool). */
  readonly close: () => Promise<void>
}

/**
 * What loading a profile from the environment gave.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProfileLoad {
  /** The effective policy, when the profile loaded. */
  readonly policy: Policy | undefined
  /** Why it did not load, when it did not. */
  readonly failure:
    | {
      readonly _tag: "InvalidProfileConfig"
      /** Every key named as a mistake, as the operator wrote it. */
      readonly keys: ReadonlyArray<string>
      readonly message: string
    }
    | { readonly _tag: "UnknownProfile"; readonly known: ReadonlyArray<string>; readonly message: string }
    | undefined
  /** The `STREAMGUARD_*` variables set that no profile setting reads, each with its nearest valid name. */
  readonly unknownVariables: ReadonlyArray<
    { readonly name: string; readonly nearest: string | undefined; readonly message: string }
  >
}

/**
 * The interface an Effect line implements to run the behavioural suite.
 *
 * @since 0.1.0
 * @category models
 */
export interface Driver {
  /** The line's name, in test titles (`effect3`, `effect4`). */
  readonly line: string
  /**
   * Runs every case in one fresh runtime under one fresh `TestClock` (at 0), all started together
   * through `via`, then moves the clock to each probe in turn (milliseconds from the start,
   * ascending) and snapshots every case there, and once a case has ended, how and when it did.
   * Cases still running after the last probe are interrupted. Resolves with one `Run` per case, in
   * order.
   */
  readonly underTestClock: (
    via: Via,
    cases: ReadonlyArray<Case>,
    probes: ReadonlyArray<number>
  ) => Promise<ReadonlyArray<Run>>
  /** Opens the line's `LlmClient` on real sockets (see `LiveClient`). */
  readonly liveClient: () => Promise<LiveClient>
  /**
   * Loads the profile `name` as the line's `ProfileConfig` does, with `env` as the whole
   * environment (a `STREAMGUARD_CONFIG` in it names a real file), and lists the unknown
   * `STREAMGUARD_*` variables as the line names them to an operator.
   */
  readonly loadProfile: (name: string, env: Readonly<Record<string, string>>) => Promise<ProfileLoad>
}
