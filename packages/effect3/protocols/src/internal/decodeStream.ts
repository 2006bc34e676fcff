/**
 * `Dialect.decode`: a dialect's synchronous decoder run as a channel, which writes one output
 * chunk per input chunk and fails with this line's error classes.
 *
 * @internal
 */
import type * as StreamEvent from "@streamguard/core-effect3/StreamEvent"
import type * as Kernel from "@streamguard/kernel/protocols/Dialect"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import type { Dialect } from "../Dialect.js"
import type { DecodeError, DecodeFailure } from "../ProtocolError.js"
import { fromFailure } from "../ProtocolError.js"

type Decoding<A, E> = Channel.Channel<
  Chunk.Chunk<StreamEvent.StreamEvent<A>>,
  Chunk.Chunk<Uint8Array>,
  E | DecodeError,
  E
>

/**
 * `decode` over a dialect's `decoder`: a fresh decoder per run. Events decoded before a failure
 * are written first, so a relay can forward them.
 *
 * @internal
 */
export const decodeWith = <A>(decoder: (options?: Kernel.DecodeOptions) => Kernel.Decoder<A>) =>
<E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: Kernel.DecodeOptions
): Stream.Stream<StreamEvent.StreamEvent<A>, E | DecodeError, R> => {
  const channel = Channel.suspend(() => {
    const framer = decoder(options)
    const emit = (
      out: Array<StreamEvent.StreamEvent<A>>,
      failure: DecodeFailure | undefined,
      next: Decoding<A, E>
    ): Decoding<A, E> => {
      const after = failure === undefined ? next : Channel.fail(fromFailure(failure))
      return out.length === 0 ? after : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), after)
    }
    const loop: Decoding<A, E> = Channel.readWithCause({
      onInput: (input: Chunk.Chunk<Uint8Array>) => {
        const out: Array<StreamEvent.StreamEvent<A>> = []
        let failure: DecodeFailure | undefined
        for (const chunk of input) {
          failure = framer.push(chunk, out)
          if (failure !== undefined) break
        }
        return emit(out, failure, loop)
      },
      onFailure: Channel.failCause,
      onDone: () => {
        const out: Array<StreamEvent.StreamEvent<A>> = []
        return emit(out, framer.end(out), Channel.void)
      }
    })
    return loop
  })
  return Stream.pipeThroughChannelOrFail(bytes, channel)
}

/**
 * This line's dialect of the kernel's: the same decoder, classifiers and writers, and `decode`.
 *
 * @internal
 */
export const withDecode = <A>(dialect: Kernel.Dialect<A>): Dialect<A> => ({
  ...dialect,
  decode: decodeWith(dialect.decoder)
})
