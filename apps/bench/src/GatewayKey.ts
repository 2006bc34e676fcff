/**
 * The gateway keys of the bench's gateways: none by default (auth off, as the gateway's own
 * default), or those `STREAMGUARD_GATEWAY_KEYS` holds when the bench runs with it set, read the way
 * the gateway reads it (comma-separated). Every gateway the bench starts is configured with them,
 * and every request the bench sends (its readers', the viewer's) presents the first.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category constants
 */
export const keys: ReadonlyArray<string> = (process.env["STREAMGUARD_GATEWAY_KEYS"] ?? "")
  .split(",")
  .map((key) => key.trim())
  .filter((key) => key.length > 0)

/**
 * The header that presents the first key, as OpenAI's SDKs send theirs; no header without keys.
 *
 * @since 0.1.0
 * @category constants
 */
export const headers: Readonly<Record<string, string>> = keys[0] === undefined
  ? {}
  : { authorization: `Bearer ${keys[0]}` }
