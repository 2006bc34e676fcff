/**
 * A response body's network reads as guard events: the kernel's `WireReader` (one event per event
 * the reads carry, with the reads' own bytes) as a Stream.
 *
 * @internal
 */
import * as WireReader from "@streamguard/kernel/ai/WireReader"
import type { EventTooLarge, ProtocolError } from "@streamguard/protocols-effect3/ProtocolError"
import { fromFailure } from "@streamguard/protocols-effect3/ProtocolError"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** A read's bytes, as the guard sees them. */
export type WireEvent = WireReader.WireEvent

/**
 * The wire events of `body`, a `contentType` body answering `path`, and the `kinds` the guard
 * asks of them (see the kernel's `WireReader`).
 */
export const fromBody = <E>(
  body: Stream.Stream<Uint8Array, E>,
  contentType: string,
  path: string
): {
  readonly events: Stream.Stream<WireEvent, E | ProtocolError | EventTooLarge>
  readonly kinds: WireReader.Kinds
} => {
  const kinds = WireReader.makeKinds()
  const events = Stream.suspend(() => {
    const reader = WireReader.make(contentType, path, kinds)
    const reads = Stream.mapConcatEffect(body, (bytes) => {
      const read = reader.push(bytes)
      return WireReader.isFailure(read) ? Effect.fail(fromFailure(read)) : Effect.succeed(read)
    })
    const end = Stream.suspend(() => {
      const read = reader.end()
      return WireReader.isFailure(read) ? Stream.fail(fromFailure(read)) : Stream.fromIterable(read)
    })
    return Stream.concat(reads, end)
  })
  return { events, kinds }
}
