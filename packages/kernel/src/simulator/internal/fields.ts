/**
 * The readers the scenarios and steps share: durations, and the constructors' way of failing.
 */
import * as Durations from "../../Durations.js"
import * as Shape from "./shape.js"

/** A duration as JSON, a model name or code writes it, read to milliseconds by the kernel's one reader. */
export const duration: Shape.Field<number, string | number> = Shape.duration(Durations.parse)

/**
 * Reads a constructor's argument, or throws a `TypeError` with every mistake: constructors take
 * their values from code, where a wrong one is a bug, as it is for a timer's duration.
 */
export const orThrow = <A>(field: Shape.Field<A, any>, input: unknown): A => {
  const read = Shape.decode(field, input)
  if (read._tag === "Invalid") throw new TypeError(read.lines.join("; "))
  return read.value
}

/** A duration in milliseconds, or a thrown `TypeError` saying why it is none. */
export const millis = (input: string | number): number => orThrow(duration, input)
