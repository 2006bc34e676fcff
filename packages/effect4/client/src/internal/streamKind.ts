/**
 * What the kind of stream a request opens changes, as its dialect tells it from the request
 * (`Dialect.streamKind`): the profile's limits that do not apply, and the decode options. Read
 * once per stream, when the stream is prepared; an ordinary stream costs one call.
 *
 * @internal
 */
import * as TimeoutPolicy from "@streamguard/core/TimeoutPolicy"
import type * as Dialect from "@streamguard/protocols/Dialect"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"

/** The request as a dialect reads it: its headers, and its body when it is whole in memory. */
const streamRequest = (request: HttpClientRequest.HttpClientRequest): Dialect.StreamRequest => {
  const body = request.body
  return {
    headers: request.headers,
    body: body._tag === "Uint8Array"
      ? body.body
      : body._tag === "Raw" && (typeof body.body === "string" || body.body instanceof Uint8Array)
      ? body.body
      : undefined
  }
}

/**
 * The policy and decode options of one stream: the profile's policy without the limits its kind
 * lifts, then the call's own fields (which can set them again); the kind's decode options under
 * the call's own.
 *
 * @internal
 */
export const adjust = <A>(
  dialect: Dialect.Dialect<A>,
  request: HttpClientRequest.HttpClientRequest,
  profile: TimeoutPolicy.TimeoutPolicy,
  call: { readonly policy?: TimeoutPolicy.Fields | undefined; readonly decode?: Dialect.DecodeOptions | undefined }
): { readonly policy: TimeoutPolicy.TimeoutPolicy; readonly decode: Dialect.DecodeOptions | undefined } => {
  const kind = dialect.streamKind?.(streamRequest(request))
  if (kind === undefined) return { policy: TimeoutPolicy.merge(profile, call.policy ?? {}), decode: call.decode }
  return {
    policy: TimeoutPolicy.merge(TimeoutPolicy.without(profile, kind.unbounded), call.policy ?? {}),
    decode: { ...kind.decode, ...call.decode }
  }
}
