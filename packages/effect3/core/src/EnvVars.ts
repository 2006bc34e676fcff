/**
 * StreamGuard's environment variables as a whole: which `STREAMGUARD_*` names are set, and which
 * of them no setting reads. A misspelt name (`STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT`) would
 * otherwise leave the default in place without a word; here it is named, with the valid name
 * nearest to it.
 *
 * Names are read from the current `ConfigProvider` (the environment by default), as every other
 * setting is.
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/EnvVars"
import * as Messages from "@streamguard/kernel/Messages"
import type * as ConfigError from "effect/ConfigError"
import type * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as HashSet from "effect/HashSet"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * The prefix of every variable StreamGuard reads.
 *
 * @since 0.1.0
 * @category constants
 */
export const prefix: typeof Kernel.prefix = Kernel.prefix

/**
 * A `STREAMGUARD_*` variable that no setting reads, with the valid name nearest to it when one is
 * close enough to be the name meant.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownEnvVar extends Schema.TaggedError<UnknownEnvVar>("@streamguard/core/UnknownEnvVar")(
  "UnknownEnvVar",
  {
    name: Schema.String,
    nearest: Schema.optional(Schema.String)
  }
) {
  /**
   * What is wrong with the name, without the name: `not a StreamGuard setting, so it changes
   * nothing; did you mean STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT?`.
   *
   * @since 0.1.0
   */
  get reason(): string {
    return Messages.unknownEnvVarReason(this.nearest)
  }

  /** @since 0.1.0 */
  override get message(): string {
    return Messages.unknownEnvVar(this)
  }
}

/**
 * The leaves under `path`: an env provider splits names at `_` (`STREAMGUARD`, `CHAT`, ...), a map
 * provider keeps them whole, so a name is its path joined with `_` either way.
 */
const leaves = (
  flat: ConfigProvider.ConfigProvider.Flat,
  path: ReadonlyArray<string>
): Effect.Effect<Array<string>, ConfigError.ConfigError> =>
  Effect.flatMap(flat.enumerateChildren(path), (children) => {
    const next = [...HashSet.values(children)].filter((child) => path.length > 0 || Kernel.mayHoldNames(child))
    if (next.length === 0) return Effect.succeed(path.length === 0 ? [] : [path.join("_")])
    return Effect.map(Effect.forEach(next, (child) => leaves(flat, [...path, child])), (found) => found.flat())
  })

/**
 * Every `STREAMGUARD_*` name set in the current `ConfigProvider`, sorted.
 *
 * @since 0.1.0
 * @category reading
 */
export const names: Effect.Effect<Array<string>, ConfigError.ConfigError> = Effect.configProviderWith((provider) =>
  Effect.map(
    leaves(provider.flattened, []),
    Kernel.namesOf
  )
)

/**
 * The known name nearest to `name`, when it is near enough to be a slip: at most a third of the
 * name's own letters (and at least two) differ. `None` when nothing is that close.
 *
 * @since 0.1.0
 * @category reading
 */
export const nearest = (name: string, known: Iterable<string>): Option.Option<string> =>
  Option.fromNullable(Kernel.nearest(name, known))

/**
 * The `STREAMGUARD_*` variables set that are not among `known`, each with its nearest known name.
 * `judge` narrows which names are judged at all: a program that knows only some of StreamGuard's
 * settings (a profile checker) leaves the others to the program that reads them.
 *
 * @since 0.1.0
 * @category reading
 */
export const unknown = (
  known: Iterable<string>,
  judge: (name: string, nearest: Option.Option<string>) => boolean = () => true
): Effect.Effect<Array<UnknownEnvVar>, ConfigError.ConfigError> =>
  Effect.map(
    names,
    (set) =>
      Kernel.unknown(set, known, (name, near) => judge(name, Option.fromNullable(near))).map((found) =>
        new UnknownEnvVar(found)
      )
  )
