/**
 * Reading the JSON config file: its text, parsed and decoded with the file's schema, where a key
 * the schema does not know is an error (a misspelt key fails start-up instead of being ignored).
 *
 * @since 0.1.0
 */
import { FileSystem } from "@effect/platform"
import { ParseIssues } from "@streamguard/core"
import { Effect, Schema } from "effect"
import { ConfigLoadError } from "./ConfigLoadError.js"

/**
 * Reads and decodes the file at `path`; a failure names `key (path)` and every mistake, one line
 * each with its key path (`upstreams[0].dialect: Expected "openai" | ..., actual "openAI"`).
 *
 * @since 0.1.0
 * @category reading
 */
export const read = <A, I>(
  key: string,
  path: string,
  schema: Schema.Schema<A, I>
): Effect.Effect<A, ConfigLoadError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const at = `${key} (${path})`
    const fail = (reason: string) => new ConfigLoadError({ key: at, reason })
    const text = yield* Effect.mapError(fs.readFileString(path), (error) => fail(error.message))
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) => fail(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`)
    })
    return yield* Schema.decodeUnknown(schema, { onExcessProperty: "error", errors: "all" })(json).pipe(
      Effect.mapError((error) => {
        const [first = error.message, ...more] = ParseIssues.lines(error)
        return new ConfigLoadError({ key: at, reason: first, others: more.map((reason) => ({ key: at, reason })) })
      })
    )
  })
