/**
 * Connection slots per origin, when the client limits its connections: the kernel's `Slots`, and
 * taking one as an interruptible effect (the `pool` phase).
 *
 * @internal
 */
import type { Slots } from "@streamguard/kernel/client/Slots"
import * as Effect from "effect/Effect"

export { byOrigin, originOf, Slots } from "@streamguard/kernel/client/Slots"

/**
 * Waits for a slot of `slots` (interruptible) and yields the function that gives it back, once.
 *
 * @internal
 */
export const take = (slots: Slots): Effect.Effect<() => void> =>
  Effect.callback((resume) => {
    const cancel = slots.take((release) => resume(Effect.succeed(release)))
    return cancel === undefined ? undefined : Effect.sync(cancel)
  })
