/**
 * The request profiles from configuration: the built-ins, overridden by the config file
 * `STREAMGUARD_CONFIG` names (its `profiles`, custom profiles included), then by
 * `STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT` and `STREAMGUARD_<PROFILE>_MIN_RATE` environment keys,
 * then by a call's own override (`RequestProfile.withPolicy`).
 *
 * @since 0.1.0
 */
import * as Kernel from "@streamguard/kernel/ProfileConfig"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as ConfigFile from "./ConfigFile.js"
import * as EnvVars from "./EnvVars.js"
import { fieldsOf } from "./internal/policy.js"
import type { ProfileConfigError } from "./ProfileConfigError.js"
import { InvalidProfileConfig, UnknownProfile } from "./ProfileConfigError.js"
import * as Profiles from "./Profiles.js"
import * as RequestProfile from "./RequestProfile.js"
import * as TimeoutPolicy from "./TimeoutPolicy.js"

/**
 * The environment key of one field of one profile: `STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT` for a
 * duration, `STREAMGUARD_<PROFILE>_MIN_RATE` for `minRate`; the profile upper-cased with every
 * other character than a letter or digit as `_`, the field in upper snake case (`firstChunk` is
 * `FIRST_CHUNK`).
 *
 * @since 0.1.0
 * @category config
 */
export const envKey: (profile: string, field: TimeoutPolicy.PolicyField) => string = Kernel.envKey

/**
 * One profile in the config file: an optional `base` built-in to start from (a custom profile
 * without one starts with no limits; a built-in name starts from itself), then any policy fields.
 *
 * @since 0.1.0
 * @category schemas
 */
const entryFields = {
  base: Schema.optional(Schema.Literals(Profiles.builtinNames)),
  ...TimeoutPolicy.TimeoutPolicy.fields
}

const isEntryField = (key: string): boolean => Object.prototype.hasOwnProperty.call(entryFields, key)

/** The struct of a profile's fields, with its type as `Schema.Struct` has it. */
const entryStruct = Schema.Struct(entryFields)

// Effect 4 has no excess-property option a schema carries itself: every key that is not a field
// must be nothing at all, so a misspelt one fails with its own path.
const unknownKeys = Schema.Record(
  Schema.String.check(Schema.makeFilter((key: string) => !isEntryField(key))),
  Schema.Never.annotate({ message: "is not a profile field" })
)

export const ProfileEntry: Schema.Codec<typeof entryStruct.Type, typeof entryStruct.Encoded> = Schema
  .StructWithRest(entryStruct, [unknownKeys]) as any

/**
 * @since 0.1.0
 * @category models
 */
export type ProfileEntry = typeof ProfileEntry.Type

/**
 * The part of the config file the profiles are read from:
 * `{ "profiles": { "chat": { "chunk": "45s", "total": "none" }, "agent": { "base": "research", "firstChunk": "2m" } } }`.
 * Unknown keys inside a profile are rejected, so a misspelt field fails start-up instead of being
 * ignored; other top-level keys are left alone, because the file is shared with the apps that embed
 * the core (the gateway keeps its upstreams there).
 *
 * @since 0.1.0
 * @category schemas
 */
export const FileSection = Schema.Struct({
  // Absent, it is read as none (`readConfigFile`). Not a decoding default: Effect 4.1.5 then drops
  // some of the mistakes inside the record from a decode of every mistake.
  profiles: Schema.optionalKey(Schema.Record(Schema.String, ProfileEntry))
})

/**
 * @since 0.1.0
 * @category models
 */
export type FileSection = typeof FileSection.Type

const has = <K extends string>(record: Readonly<Record<K, unknown>>, key: string): key is K =>
  Object.prototype.hasOwnProperty.call(record, key)

/**
 * The profiles the config file defines or overrides, by name (read with `ConfigFile.read`); empty
 * when `STREAMGUARD_CONFIG` is not set.
 *
 * @since 0.1.0
 * @category config
 */
export const readConfigFile: Effect.Effect<
  Readonly<Record<string, ProfileEntry>>,
  Config.ConfigError | InvalidProfileConfig,
  FileSystem.FileSystem
> = Effect.gen(function*() {
  const path = yield* Config.option(Config.NonEmptyString(ConfigFile.key))
  if (Option.isNone(path)) return {}
  const file = yield* ConfigFile.read(path.value, FileSection)
  return file.profiles ?? {}
})

/**
 * The overrides of one profile from `STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT` keys and
 * `STREAMGUARD_<PROFILE>_MIN_RATE`.
 *
 * @since 0.1.0
 * @category config
 */
export const readEnv = (
  profile: string
): Effect.Effect<TimeoutPolicy.Fields, Config.ConfigError | InvalidProfileConfig> =>
  Effect.flatMap(
    Effect.forEach(TimeoutPolicy.allFields, (field) => {
      const key = envKey(profile, field)
      return Effect.map(Config.option(Config.String(key)), (value) => [key, Option.getOrUndefined(value)] as const)
    }),
    (entries) => {
      const values = new Map(entries)
      const read = Kernel.readEnv(profile, (key) => values.get(key))
      return "mistake" in read
        ? Effect.fail(new InvalidProfileConfig(read.mistake))
        : Effect.succeed(fieldsOf(read.policy))
    }
  )

const resolve = (
  name: string,
  file: Readonly<Record<string, ProfileEntry>>
): Effect.Effect<TimeoutPolicy.TimeoutPolicy, Config.ConfigError | InvalidProfileConfig | UnknownProfile> => {
  const entry = has(file, name) ? file[name] : undefined
  const baseName = Kernel.baseOf(name, entry)
  if (entry === undefined && baseName === undefined) {
    return Effect.fail(new UnknownProfile({ name, known: knownNames(file) }))
  }
  const base = baseName === undefined ? TimeoutPolicy.empty : Profiles.builtins[baseName]
  const { base: _base, ...fromFile } = entry ?? {}
  return Effect.map(readEnv(name), (fromEnv) => TimeoutPolicy.merge(TimeoutPolicy.merge(base, fromFile), fromEnv))
}

/**
 * The profile names config knows: the built-ins, then the custom profiles of the config file's
 * entries.
 *
 * @since 0.1.0
 * @category config
 */
export const knownNames = (file: Readonly<Record<string, ProfileEntry>>): Array<string> =>
  Kernel.knownNames(Object.keys(file))

/**
 * Every environment key of the named profiles, one per policy field (`envKey`).
 *
 * @since 0.1.0
 * @category config
 */
export const envKeys: (names: Iterable<string>) => Array<string> = Kernel.envKeys

/**
 * The `STREAMGUARD_*` variables meant for a profile that set nothing: a name under a known
 * profile's prefix (`STREAMGUARD_CHAT_...`) that is none of its fields, or a name within a slip of
 * a profile key (`STREAMGUARD_CAHT_CHUNK_TIMEOUT`), each with the key it is nearest to. Other
 * `STREAMGUARD_*` names are left to the programs that read them (the gateway checks its own).
 *
 * @since 0.1.0
 * @category config
 */
export const unknownEnvVars = (
  file: Readonly<Record<string, ProfileEntry>>
): Effect.Effect<Array<EnvVars.UnknownEnvVar>, Config.ConfigError> =>
  Effect.map(
    EnvVars.names,
    (set) => Kernel.unknownEnvVars(set, knownNames(file)).map((found) => new EnvVars.UnknownEnvVar(found))
  )

/**
 * The policy of one profile from config: the built-in of that name (or, for a custom name, the
 * config file's definition, from its `base` built-in when it names one), overridden by the config
 * file named by `STREAMGUARD_CONFIG`, then by `STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT` keys (and
 * `STREAMGUARD_<PROFILE>_MIN_RATE`). A bad
 * value fails naming its key; an unknown name fails naming the known profiles.
 *
 * @since 0.1.0
 * @category config
 */
export const load = (
  name: string
): Effect.Effect<TimeoutPolicy.TimeoutPolicy, ProfileConfigError, FileSystem.FileSystem> =>
  Effect.flatMap(readConfigFile, (file) => resolve(name, file))

/**
 * Every known profile (the built-ins, then the config file's custom ones), each resolved as `load`
 * does: for choosing a profile per request.
 *
 * @since 0.1.0
 * @category config
 */
export const loadAll: Effect.Effect<
  ReadonlyMap<string, TimeoutPolicy.TimeoutPolicy>,
  Config.ConfigError | InvalidProfileConfig,
  FileSystem.FileSystem
> = Effect.flatMap(readConfigFile, (file) => resolveAll(file))

/**
 * `loadAll` for profile entries an app has already read (from its own config file or source):
 * the built-ins and the entries' custom profiles, each with the env overrides applied.
 *
 * @since 0.1.0
 * @category config
 */
export const resolveAll = (
  file: Readonly<Record<string, ProfileEntry>>
): Effect.Effect<ReadonlyMap<string, TimeoutPolicy.TimeoutPolicy>, Config.ConfigError | InvalidProfileConfig> =>
  Effect.map(
    Effect.forEach(knownNames(file), (name) =>
      Effect.map(
        // Every name here is known, so resolving it cannot fail with UnknownProfile.
        Effect.catchTag(resolve(name, file), "UnknownProfile", Effect.die),
        (policy) => [name, policy] as const
      )),
    (entries) => new Map(entries)
  )

/**
 * A `RequestProfile` layer for the named profile, resolved from config as `load` does: built-in
 * < config file < environment < per-call override (`RequestProfile.withPolicy`). Reads the file
 * through `FileSystem` (provide `NodeFileSystem.layer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  name: string
): Layer.Layer<RequestProfile.RequestProfile, ProfileConfigError, FileSystem.FileSystem> =>
  Layer.effect(RequestProfile.RequestProfile, Effect.map(load(name), (policy) => RequestProfile.make(name, policy)))
