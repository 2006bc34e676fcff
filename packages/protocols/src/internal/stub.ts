import * as Keepalive from "@streamguard/core/StreamEvent"
import * as Stream from "effect/Stream"
import type { Dialect, DialectName } from "../Dialect.js"

/** Placeholder until the real dialect lands: same shape, decodes nothing. */
export const stub = <A>(name: DialectName, framing: "sse" | "ndjson", contentType: string): Dialect<A> => ({
  name,
  framing,
  contentType,
  decode: () => Stream.empty,
  encode: () => "",
  text: () => undefined,
  isPing: () => false,
  textEvent: () => Keepalive.Keepalive<A>({ bytes: 0 }),
  opening: () => [],
  closing: () => [],
  ping: Keepalive.Keepalive<A>({ bytes: 0 }),
  errorEvent: (error) =>
    Keepalive.ErrorSignal({ payload: error, errorType: error.type, message: error.message, bytes: 0 })
})
