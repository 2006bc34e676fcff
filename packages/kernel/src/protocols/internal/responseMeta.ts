/**
 * Reading a `ResponseMeta` the way every writer does: its defaults, in one place.
 *
 * @internal
 */
import type { ResponseMeta } from "../Dialect.js"

/** The id, with the provider's prefix added when missing (`chatcmpl-`, `resp_`, `msg_`). */
export const idOf = (meta: ResponseMeta | undefined, prefix: string): string => {
  const id = meta?.id ?? "streamguard"
  return id.startsWith(prefix) ? id : prefix + id
}

/** The id without the prefix, to make a related id (a Responses item `msg_<id>`). */
export const bareId = (meta: ResponseMeta | undefined, prefix: string): string => {
  const id = meta?.id ?? "streamguard"
  return id.startsWith(prefix) ? id.slice(prefix.length) : id
}

export const modelOf = (meta: ResponseMeta | undefined): string => meta?.model ?? "streamguard"

/** When the response began, in epoch seconds (OpenAI's `created`, `created_at`). */
export const createdSeconds = (meta: ResponseMeta | undefined): number => Math.floor((meta?.created ?? 0) / 1000)

/** When the frame is written, in epoch milliseconds. */
export const nowMillis = (meta: ResponseMeta | undefined): number => meta?.now ?? meta?.created ?? 0

export const inputTokens = (meta: ResponseMeta | undefined): number => meta?.usage?.inputTokens ?? 0

export const outputTokens = (meta: ResponseMeta | undefined): number => meta?.usage?.outputTokens ?? 0

export const textOf = (meta: ResponseMeta | undefined): string => meta?.text ?? ""
