/**
 * The JSON config file `STREAMGUARD_CONFIG` names, one file for every program that reads
 * StreamGuard's configuration: the profiles here, an app's own keys beside them (the gateway keeps
 * its upstreams there). `read` is its one reader: the file's text, parsed as JSON, decoded with the
 * reader's schema, every mistake named.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as EnvVars from "@streamguard/kernel/EnvVars"
import * as Messages from "@streamguard/kernel/Messages"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ParseIssues from "./ParseIssues.js"
import { InvalidProfileConfig } from "./ProfileConfigError.js"

/**
 * The environment key that names the file.
 *
 * @since 0.1.0
 * @category constants
 */
export const key: typeof EnvVars.configFile = EnvVars.configFile

/** Every mistake of a decoding failure, one per key path (`ParseIssues`), the file as a whole as `key`. */
const mistakes = (path: string, error: ParseResult.ParseError): InvalidProfileConfig => {
  const found = ParseIssues.issues(error).map((issue) => ({
    key: issue.path === "" ? key : issue.path,
    reason: issue.message
  }))
  return Arr.isNonEmptyReadonlyArray(found)
    ? InvalidProfileConfig.all(found, path)
    : new InvalidProfileConfig({ key, source: path, reason: error.message })
}

/**
 * Reads the file at `path` and decodes it with `schema`, `{ errors: "all" }`: a failure names the
 * file as `source` and every mistake, one each with its key path and what is wrong
 * (`profiles.chat.chunk: a timeout must be positive; got "-3s"`); a file that cannot be read, or
 * is not JSON, is a mistake of `STREAMGUARD_CONFIG` itself. A schema that must reject keys it does
 * not know says so itself (`parseOptions: { onExcessProperty: "error" }`): a file shared between
 * programs holds keys each of them leaves to the others.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = <A, I>(
  path: string,
  schema: Schema.Schema<A, I>
): Effect.Effect<A, InvalidProfileConfig, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = (reason: string) => new InvalidProfileConfig({ key, source: path, reason })
    const text = yield* Effect.mapError(fs.readFileString(path), (error) => fail(error.message))
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) => fail(Messages.invalidJson(error))
    })
    return yield* Effect.mapError(
      Schema.decodeUnknown(schema, { errors: "all" })(json),
      (error) => mistakes(path, error)
    )
  })
