/**
 * `Dialect.decode`: a dialect's synchronous decoder run over a stream's pull, which hands over one
 * batch of events per batch of bytes and fails with this line's error classes.
 *
 * @internal
 */
import type * as StreamEvent from "@streamguard/core/StreamEvent"
import type * as Kernel from "@streamguard/kernel/protocols/Dialect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Stream from "effect/Stream"
import type { Dialect } from "../Dialect.js"
import type { DecodeError, DecodeFailure } from "../ProtocolError.js"
import { fromFailure } from "../ProtocolError.js"

/**
 * `decode` over a dialect's `decoder`: a fresh decoder per run. Events decoded before a failure
 * are handed over first, so a relay can forward them.
 *
 * @internal
 */
export const decodeWith = <A>(decoder: (options?: Kernel.DecodeOptions) => Kernel.Decoder<A>) =>
<E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: Kernel.DecodeOptions
): Stream.Stream<StreamEvent.StreamEvent<A>, E | DecodeError, R> =>
  Stream.transformPull(bytes, (pull) =>
    Effect.sync(() => {
      type Next = Pull.Pull<NonEmptyReadonlyArray<StreamEvent.StreamEvent<A>>, E | DecodeError>
      const framer = decoder(options)
      // What every pull gives once the bytes ended or a decoder failed.
      let last: Next | undefined
      const handOver = (out: Array<StreamEvent.StreamEvent<A>>, failure: DecodeFailure | undefined): Next => {
        if (failure !== undefined) last = Effect.fail(fromFailure(failure))
        if (out.length > 0) return Effect.succeed(out as unknown as NonEmptyReadonlyArray<StreamEvent.StreamEvent<A>>)
        return last ?? next
      }
      const next: Next = Effect.suspend(() =>
        last ?? Effect.matchCauseEffect(pull, {
          onSuccess: (chunks) => {
            const out: Array<StreamEvent.StreamEvent<A>> = []
            let failure: DecodeFailure | undefined
            for (const chunk of chunks) {
              failure = framer.push(chunk, out)
              if (failure !== undefined) break
            }
            return handOver(out, failure)
          },
          onFailure: (cause) => {
            if (!Pull.isDoneCause(cause)) return Effect.failCause(cause as Cause.Cause<E>)
            last = Cause.done()
            const out: Array<StreamEvent.StreamEvent<A>> = []
            return handOver(out, framer.end(out))
          }
        })
      )
      return next
    }))

/**
 * This line's dialect of the kernel's: the same decoder, classifiers and writers, and `decode`.
 *
 * @internal
 */
export const withDecode = <A>(dialect: Kernel.Dialect<A>): Dialect<A> => ({
  ...dialect,
  decode: decodeWith(dialect.decoder)
})
