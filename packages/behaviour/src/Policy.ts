/**
 * A timeout policy as plain numbers, the same on every Effect line: what the suite asks a driver
 * to run under, and what a driver reports a loaded profile to be.
 *
 * @since 0.1.0
 */

/**
 * Every limit in milliseconds; a field that is absent is no limit. `minRate` is at least `events`
 * content events in every window of `perMillis`. The fields mean what StreamGuard's README says
 * of them (`firstChunk` replaces `chunk` and `progress` until the first content, `chunk` is reset
 * by any event, `progress` by content only, `total` spans the stream, `request` a batch call).
 *
 * @since 0.1.0
 * @category models
 */
export interface Policy {
  readonly connect?: number
  readonly write?: number
  readonly headers?: number
  readonly pool?: number
  readonly request?: number
  readonly firstChunk?: number
  readonly chunk?: number
  readonly progress?: number
  readonly total?: number
  readonly reasoning?: number
  readonly minRate?: { readonly events: number; readonly perMillis: number }
}

/**
 * The built-in profiles every line ships.
 *
 * @since 0.1.0
 * @category models
 */
export type BuiltinProfile = "research" | "mcp" | "chat" | "batch"

/**
 * What a case runs under: a policy written out, or a built-in profile by name (so the suite also
 * proves each line's built-in values).
 *
 * @since 0.1.0
 * @category models
 */
export type PolicySpec = Policy | BuiltinProfile
