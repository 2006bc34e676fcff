/**
 * The effective policy of every profile, as a program reading the profile config would get it:
 * the built-ins, overridden by the config file (`STREAMGUARD_CONFIG`, or the file given), then by
 * `STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT`. It is the core's profile loading, the one the gateway's
 * profiles go through, so a file that passes here gives the gateway the same policies.
 *
 * @since 0.1.0
 */
import * as ConfigFile from "@streamguard/core/ConfigFile"
import * as ProfileConfig from "@streamguard/core/ProfileConfig"
import type * as ProfileConfigError from "@streamguard/core/ProfileConfigError"
import * as TimeoutPolicy from "@streamguard/core/TimeoutPolicy"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import * as millis from "./internal/millis.js"

/**
 * One profile's effective limits, each as config writes it (`30s`, `5/10s`); a field without a
 * limit is absent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Profile {
  readonly name: string
  readonly limits: Readonly<Partial<Record<TimeoutPolicy.PolicyField, string>>>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Effective {
  /** The config file read, if any. */
  readonly file: string | undefined
  readonly profiles: ReadonlyArray<Profile>
  /**
   * `STREAMGUARD_*` variables meant for a profile that set nothing (a misspelt name), each with
   * the key it is nearest to: `ProfileConfig.unknownEnvVars`.
   */
  readonly unknownEnv: ReadonlyArray<{ readonly name: string; readonly nearest: string | undefined }>
}

const written = (duration: Duration.Duration): string =>
  Duration.isFinite(duration) ? millis.limit(Duration.toMillis(duration)) : "none"

/**
 * Loads every profile with the env applied; `file` replaces `STREAMGUARD_CONFIG`. A bad value
 * fails with `InvalidProfileConfig`, naming its key (`STREAMGUARD_CHAT_CHUNK_TIMEOUT`, or
 * `profiles.chat.chunk` in the file); a misspelt variable is listed in `unknownEnv`.
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (
  file: Option.Option<string>
): Effect.Effect<Effective, Config.ConfigError | ProfileConfigError.InvalidProfileConfig, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const path = yield* Config.option(Config.NonEmptyString(ConfigFile.key))
    const entries = yield* ProfileConfig.readConfigFile
    const policies = yield* ProfileConfig.resolveAll(entries)
    const unknownEnv = yield* ProfileConfig.unknownEnvVars(entries)
    return {
      file: Option.getOrUndefined(path),
      unknownEnv: unknownEnv.map(({ name, nearest }) => ({ name, nearest })),
      profiles: [...policies].map(([name, policy]) => ({
        name,
        limits: Object.fromEntries([
          ...TimeoutPolicy.fields.flatMap((field) =>
            Option.match(TimeoutPolicy.limit(policy, field), {
              onNone: () => [],
              onSome: (duration) => [[field, written(duration)] as const]
            })
          ),
          ...Option.match(TimeoutPolicy.minRate(policy), {
            onNone: () => [],
            onSome: (rate) => [["minRate", `${rate.events}/${written(rate.per)}`] as const]
          })
        ])
      }))
    }
  }).pipe(
    (effect) =>
      Option.match(file, {
        onNone: () => effect,
        onSome: (path) =>
          ConfigProvider.ConfigProvider.use((current) =>
            Effect.provideService(
              effect,
              ConfigProvider.ConfigProvider,
              ConfigProvider.orElse(ConfigProvider.fromEnv({ env: { [ConfigFile.key]: path } }), current)
            )
          )
      })
  )
