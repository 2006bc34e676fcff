/**
 * Response headers as the client keeps them: lower-case names, a repeated header's values joined
 * with `, `, from either form undici hands a handler (the raw name/value list, or parsed).
 *
 * @since 0.1.0
 */

/**
 * Headers as a record of lower-case names.
 *
 * @since 0.1.0
 * @category models
 */
export type Headers = Record<string, string>

const text = (value: string | Uint8Array): string =>
  typeof value === "string" ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1")

/**
 * From undici's raw list: names and values alternating, as bytes (or strings), in wire order.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRaw = (raw: ReadonlyArray<string | Uint8Array>): Headers => {
  const headers: Headers = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = text(raw[i]!).toLowerCase()
    const value = text(raw[i + 1]!)
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return headers
}

/**
 * From parsed headers (undici 8's `onResponseStart`): a repeated header's values as an array.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromParsed = (parsed: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>): Headers => {
  const headers: Headers = {}
  for (const name of Object.keys(parsed)) {
    const value = parsed[name]
    if (value === undefined) continue
    const joined = typeof value === "string" ? value : value.join(", ")
    const key = name.toLowerCase()
    headers[key] = headers[key] === undefined ? joined : `${headers[key]}, ${joined}`
  }
  return headers
}
