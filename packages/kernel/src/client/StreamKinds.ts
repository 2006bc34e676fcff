/**
 * What the kind of stream a request opens changes, as its dialect tells it from the request
 * (`Dialect.streamKind`): the profile's limits that do not apply, and the decode options. Each
 * line's client reads it once per stream, when the stream is prepared, in its own policy terms.
 *
 * @since 0.1.0
 */
import type { PolicyField } from "../Policy.js"
import type { DecodeOptions, Dialect, StreamRequest } from "../protocols/Dialect.js"

/**
 * A request's body as both lines' HTTP requests hold it: a tag, and for the bodies whole in
 * memory (`Uint8Array`, `Raw`) the bytes or text.
 *
 * @since 0.1.0
 * @category models
 */
export interface Body {
  readonly _tag: string
  readonly body?: unknown
}

/**
 * The request as a dialect reads it: its headers, and its body when it is whole in memory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const request = (headers: Readonly<Record<string, string>>, body: Body): StreamRequest => ({
  headers,
  body: inMemory(body)
})

/** The bytes or text of a body whole in memory; a stream, a form or no body: none. */
const inMemory = (body: Body): Uint8Array | string | undefined => {
  if (body._tag === "Uint8Array") return body.body as Uint8Array
  if (body._tag !== "Raw") return undefined
  return typeof body.body === "string" || body.body instanceof Uint8Array ? body.body : undefined
}

/**
 * How a line combines its policies: `merge` a call's fields over a policy (where a field can set
 * a limit again), and a policy `without` some limits.
 *
 * @since 0.1.0
 * @category models
 */
export interface PolicyOps<P, F> {
  readonly merge: (policy: P, fields: F) => P
  readonly without: (policy: P, fields: ReadonlyArray<PolicyField>) => P
}

/**
 * The policy and decode options of one stream: the profile's policy without the limits its kind
 * lifts, then the call's own fields (which can set them again); the kind's decode options under
 * the call's own.
 *
 * @since 0.1.0
 * @category constructors
 */
export const adjust = <P, F>(
  dialect: Pick<Dialect<unknown>, "streamKind">,
  request: StreamRequest,
  profile: P,
  call: { readonly policy?: F | undefined; readonly decode?: DecodeOptions | undefined },
  ops: PolicyOps<P, F>,
  noFields: F
): { readonly policy: P; readonly decode: DecodeOptions | undefined } => {
  const kind = dialect.streamKind?.(request)
  const fields = call.policy ?? noFields
  if (kind === undefined) return { policy: ops.merge(profile, fields), decode: call.decode }
  return {
    policy: ops.merge(ops.without(profile, kind.unbounded), fields),
    decode: { ...kind.decode, ...call.decode }
  }
}
