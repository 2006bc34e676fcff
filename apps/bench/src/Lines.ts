/**
 * The guarded subjects, one per Effect line: the Effect 3 client (`subject`, from
 * `@streamguard/bench-effect3`) and the Effect 4 client (`effect4`, from
 * `@streamguard/bench-effect4`), each a workspace under its line's folder, so each resolves its
 * line's Effect. Each is a `Consumer` plus its halves of the scenarios that drive the stream
 * itself. Loaded on demand, so a process loads only its own line's Effect, and this app none.
 *
 * @since 0.1.0
 */
import type { Consumer, OnChunk } from "./Consumer.js"

/**
 * The subjects' variant names: `subject` (Effect 3, the name the report's `metrics` have always
 * had) and `effect4`.
 *
 * @since 0.1.0
 * @category constants
 */
export const subjects = ["subject", "effect4"] as const

/**
 * @since 0.1.0
 * @category models
 */
export type SubjectName = typeof subjects[number]

/**
 * What a line's subject runs for the scenarios (see each function's JSDoc in either line).
 *
 * @since 0.1.0
 * @category models
 */
export interface Line {
  readonly consumer: Consumer
  /** Streams that stall after their first chunk: how late each one's `ChunkTimeout` reached the consumer. */
  readonly stalls: (url: string, models: ReadonlyArray<string>, chunkTimeoutMillis: number) => Promise<{
    readonly lates: Array<number>
    readonly unexpected: Array<string>
  }>
  /** Streams interrupted from outside after their third chunk: when each was (epoch millis). */
  readonly interrupts: (url: string, models: ReadonlyArray<string>) => Promise<Map<string, number>>
  /** Streams that stall: when each one's chunk timeout fired, on the guard's clock (epoch millis). */
  readonly timeouts: (url: string, models: ReadonlyArray<string>, chunkTimeoutMillis: number) => Promise<{
    readonly fired: Map<string, number>
    readonly unexpected: Array<string>
  }>
}

/**
 * The subject of `name`.
 *
 * @since 0.1.0
 * @category consumers
 */
export const line = async (name: SubjectName): Promise<Line> => {
  // Both workspaces export the same `Subject` and `Scenarios`, each on its own line's Effect.
  const { Scenarios, Subject } = name === "subject"
    ? await import("@streamguard/bench-effect3")
    : await import("@streamguard/bench-effect4")
  const consumer: Consumer = {
    name,
    consume: (url: string, model: string, onChunk: OnChunk) => Subject.consume(url, model, onChunk),
    open: Subject.open,
    dispose: Subject.dispose
  }
  return { consumer, stalls: Scenarios.stalls, interrupts: Scenarios.interrupts, timeouts: Scenarios.timeouts }
}

/**
 * Whether `variant` is one of the subjects.
 *
 * @since 0.1.0
 * @category guards
 */
export const isSubject = (variant: string): variant is SubjectName =>
  (subjects as ReadonlyArray<string>).includes(variant)
