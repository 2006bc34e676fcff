/**
 * StreamGuard's environment variables as a whole: the `STREAMGUARD_` prefix, and which of the
 * names set no setting reads. A misspelt name (`STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT`) would
 * otherwise leave the default in place without a word; here it is named, with the valid name
 * nearest to it. Each line reads the names set from its own config provider.
 *
 * @since 0.1.0
 */
import { distance } from "fastest-levenshtein"

/**
 * The prefix of every variable StreamGuard reads.
 *
 * @since 0.1.0
 * @category constants
 */
export const prefix = "STREAMGUARD_"

/**
 * The variable that names the JSON config file every program of StreamGuard reads.
 *
 * @since 0.1.0
 * @category constants
 */
export const configFile = "STREAMGUARD_CONFIG"

/**
 * Whether a name, or the first segment of one (an environment provider splits names at `_`), may
 * lead to a `STREAMGUARD_*` name: what a line walks when it lists the names its provider holds.
 *
 * @since 0.1.0
 * @category reading
 */
export const mayHoldNames = (segment: string): boolean => segment === "STREAMGUARD" || segment.startsWith(prefix)

/**
 * The `STREAMGUARD_*` names among `found`, once each, sorted.
 *
 * @since 0.1.0
 * @category reading
 */
export const namesOf = (found: Iterable<string>): Array<string> =>
  [...new Set(found)].filter((name) => name.startsWith(prefix)).sort()

/**
 * A `STREAMGUARD_*` variable that no setting reads, with the valid name nearest to it when one is
 * close enough to be the name meant.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnknownEnvVar {
  readonly name: string
  readonly nearest: string | undefined
}

/** A name without what every name shares: the prefix, a `_TIMEOUT` suffix and the underscores. */
const core = (name: string): string => name.replace(prefix, "").replace(/_TIMEOUT$/, "").replace(/_/g, "")

/**
 * How far `name` is from `known`: the fewer edits of the two spellings, as written or with the
 * parts every name shares left out, so `..._FIRSTCHUNK_TIMEOUT` is next to `..._FIRST_CHUNK_TIMEOUT`
 * and `..._MIN_RATE_TIMEOUT` next to `..._MIN_RATE`.
 */
const gap = (name: string, known: string): number =>
  Math.min(distance(name.replace(prefix, ""), known.replace(prefix, "")), distance(core(name), core(known)))

/**
 * The known name nearest to `name`, when it is near enough to be a slip: at most a third of the
 * name's own letters (and at least two) differ. `undefined` when nothing is that close.
 *
 * @since 0.1.0
 * @category reading
 */
export const nearest = (name: string, known: Iterable<string>): string | undefined => {
  let best: { readonly name: string; readonly gap: number } | undefined
  for (const candidate of known) {
    const candidateGap = gap(name, candidate)
    if (best === undefined || candidateGap < best.gap) best = { name: candidate, gap: candidateGap }
  }
  const allowed = Math.max(2, Math.floor(core(name).length / 3))
  return best !== undefined && best.gap <= allowed ? best.name : undefined
}

/**
 * The names of `set` that are not among `known`, each with its nearest known name. `judge`
 * narrows which names are judged at all: a program that knows only some of StreamGuard's settings
 * (a profile checker) leaves the others to the program that reads them.
 *
 * @since 0.1.0
 * @category reading
 */
export const unknown = (
  set: Iterable<string>,
  known: Iterable<string>,
  judge: (name: string, nearest: string | undefined) => boolean = () => true
): Array<UnknownEnvVar> => {
  const valid = new Set(known)
  const found: Array<UnknownEnvVar> = []
  for (const name of set) {
    if (valid.has(name)) continue
    const near = nearest(name, valid)
    if (judge(name, near)) found.push({ name, nearest: near })
  }
  return found
}
