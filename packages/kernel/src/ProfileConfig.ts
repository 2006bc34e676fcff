/**
 * The rules of profiles from configuration, with no reading of their own: the environment keys of
 * a profile's fields and what their values say, the profiles config knows and where each starts,
 * and which `STREAMGUARD_*` names were meant for a profile but set nothing. Each line reads the
 * environment and the config file its own way and follows these.
 *
 * @since 0.1.0
 */
import type { Parsed } from "./Durations.js"
import * as Durations from "./Durations.js"
import * as EnvVars from "./EnvVars.js"
import * as Policy from "./Policy.js"
import * as Profiles from "./Profiles.js"
import * as Rate from "./Rate.js"

/**
 * The environment key of one field of one profile: `STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT` for a
 * duration, `STREAMGUARD_<PROFILE>_MIN_RATE` for `minRate`; the profile upper-cased with every
 * other character than a letter or digit as `_`, the field in upper snake case (`firstChunk` is
 * `FIRST_CHUNK`).
 *
 * @since 0.1.0
 * @category env
 */
export const envKey = (profile: string, field: Policy.PolicyField): string =>
  `${EnvVars.prefix}${profile.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_${
    field.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()
  }${field === "minRate" ? "" : "_TIMEOUT"}`

/**
 * Every environment key of the named profiles, one per policy field (`envKey`).
 *
 * @since 0.1.0
 * @category env
 */
export const envKeys = (names: Iterable<string>): Array<string> =>
  [...names].flatMap((name) => Policy.allFields.map((field) => envKey(name, field)))

/** `STREAMGUARD_<PROFILE>_`: every key of that profile starts so. */
const envPrefix = (name: string): string => envKey(name, "minRate").replace(/MIN_RATE$/, "")

/**
 * A value of a profile's environment key that cannot be used: the key, and why.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mistake {
  readonly key: string
  readonly reason: string
}

/**
 * The value of one field as its environment key spells it: a timeout (`"45s"`, `"none"`) or, for
 * `minRate`, a rate (`"5/10s"`, `"none"`).
 *
 * @since 0.1.0
 * @category env
 */
export const parseField = (field: Policy.PolicyField, value: string): Parsed<number | Rate.MinRate> =>
  field === "minRate" ? Rate.parse(value) : Durations.parseTimeout(value)

/**
 * The overrides of one profile from its environment keys (`envKey`), as `get` reads each one
 * (`undefined` for a key not set): the fields set, or the first key, in field order, whose value
 * cannot be used.
 *
 * @since 0.1.0
 * @category env
 */
export const readEnv = (
  profile: string,
  get: (key: string) => string | undefined
): { readonly policy: Policy.Policy } | { readonly mistake: Mistake } => {
  const policy: { -readonly [K in keyof Policy.Policy]: Policy.Policy[K] } = {}
  for (const field of Policy.allFields) {
    const key = envKey(profile, field)
    const value = get(key)
    if (value === undefined) continue
    const parsed = parseField(field, value)
    if (!Durations.isParsed(parsed)) return { mistake: { key, reason: parsed.reason } }
    if (field === "minRate") policy.minRate = parsed.value as Rate.MinRate
    else policy[field] = parsed.value as number
  }
  return { policy }
}

/**
 * The profile names config knows: the built-ins, then the custom profiles among `defined` (the
 * names the config file defines or overrides).
 *
 * @since 0.1.0
 * @category profiles
 */
export const knownNames = (defined: Iterable<string>): Array<string> => [
  ...Profiles.builtinNames,
  ...[...defined].filter((name) => !Profiles.isBuiltin(name))
]

/**
 * The built-in a profile starts from: the `base` its config entry names, else the built-in of its
 * own name; `undefined` for none (a custom profile without a base starts with no limits, and a
 * name with neither an entry nor a built-in is no profile at all).
 *
 * @since 0.1.0
 * @category profiles
 */
export const baseOf = (
  name: string,
  entry: { readonly base?: Profiles.BuiltinName | undefined } | undefined
): Profiles.BuiltinName | undefined => entry?.base ?? (Profiles.isBuiltin(name) ? name : undefined)

/**
 * The `STREAMGUARD_*` names among `set` meant for a profile that set nothing: a name under a known
 * profile's prefix (`STREAMGUARD_CHAT_...`) that is none of its fields, or a name within a slip of
 * a profile key (`STREAMGUARD_CAHT_CHUNK_TIMEOUT`), each with the key it is nearest to. Other
 * `STREAMGUARD_*` names are left to the programs that read them.
 *
 * @since 0.1.0
 * @category env
 */
export const unknownEnvVars = (
  set: Iterable<string>,
  profiles: ReadonlyArray<string>
): Array<EnvVars.UnknownEnvVar> => {
  const prefixes = profiles.map(envPrefix)
  return EnvVars.unknown(
    set,
    [EnvVars.configFile, ...envKeys(profiles)],
    (name, nearest) => nearest !== undefined || prefixes.some((prefix) => name.startsWith(prefix))
  )
}
