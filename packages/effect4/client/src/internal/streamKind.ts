/**
 * What the kind of stream a request opens changes, as its dialect tells it from the request
 * (`Dialect.streamKind`): the kernel's rule (`StreamKinds`), over this line's policies. Read
 * once per stream, when the stream is prepared; an ordinary stream costs one call.
 *
 * @internal
 */
import * as TimeoutPolicy from "@streamguard/core/TimeoutPolicy"
import * as StreamKinds from "@streamguard/kernel/client/StreamKinds"
import type * as Dialect from "@streamguard/protocols/Dialect"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"

const ops: StreamKinds.PolicyOps<TimeoutPolicy.TimeoutPolicy, TimeoutPolicy.Fields> = {
  merge: TimeoutPolicy.merge,
  without: TimeoutPolicy.without
}

/**
 * The policy and decode options of one stream (see `StreamKinds.adjust`).
 *
 * @internal
 */
export const adjust = <A>(
  dialect: Dialect.Dialect<A>,
  request: HttpClientRequest.HttpClientRequest,
  profile: TimeoutPolicy.TimeoutPolicy,
  call: { readonly policy?: TimeoutPolicy.Fields | undefined; readonly decode?: Dialect.DecodeOptions | undefined }
): { readonly policy: TimeoutPolicy.TimeoutPolicy; readonly decode: Dialect.DecodeOptions | undefined } =>
  StreamKinds.adjust(dialect, StreamKinds.request(request.headers, request.body), profile, call, ops, {})
