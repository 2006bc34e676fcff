/**
 * `Driver.loadProfile` on the Effect 4 line: `ProfileConfig.load` with the given environment as the
 * `ConfigProvider` (read as the process environment is) and the real file system, and
 * `ProfileConfig.unknownEnvVars`, which the gateway and `streamguard check-config` name to operators.
 */
import { NodeFileSystem } from "@effect/platform-node"
import type { ProfileLoad } from "@streamguard/behaviour"
import type { ProfileConfigError } from "@streamguard/core"
import { ProfileConfig } from "@streamguard/core"
import { ConfigProvider, Effect, Result } from "effect"
import { toPolicy } from "./policies.js"

const failureOf = (error: ProfileConfigError.ProfileConfigError): ProfileLoad["failure"] => {
  switch (error._tag) {
    case "UnknownProfile":
      return { _tag: "UnknownProfile", known: error.known, message: error.message }
    case "InvalidProfileConfig":
      return {
        _tag: "InvalidProfileConfig",
        keys: error.mistakes.map((mistake) => mistake.key),
        message: error.message
      }
    default:
      // A ConfigError: a map of strings has none to give, so it is reported as a mistake naming no key.
      return { _tag: "InvalidProfileConfig", keys: [], message: String(error) }
  }
}

const load = (name: string) =>
  Effect.gen(function*() {
    const file = yield* Effect.result(ProfileConfig.readConfigFile)
    const unknown = yield* ProfileConfig.unknownEnvVars(Result.getOrElse(file, () => ({})))
    const loaded = yield* Effect.result(ProfileConfig.load(name))
    const result: ProfileLoad = {
      policy: Result.isSuccess(loaded) ? toPolicy(loaded.success) : undefined,
      failure: Result.isFailure(loaded) ? failureOf(loaded.failure) : undefined,
      unknownVariables: unknown.map((variable) => ({
        name: variable.name,
        nearest: variable.nearest,
        message: variable.message
      }))
    }
    return result
  })

/** `Driver.loadProfile`. */
export const loadProfile = (name: string, env: Readonly<Record<string, string>>): Promise<ProfileLoad> =>
  Effect.runPromise(
    load(name).pipe(
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: { ...env } })),
      Effect.provide(NodeFileSystem.layer)
    )
  )
