import * as Duration from "effect/Duration"

/**
 * A duration as the kernel reads it: text and numbers as they are (the kernel reads Effect's long
 * forms, `"2 minutes"`, and the short ones, `"2m"`), any other `Duration.Input` in milliseconds.
 */
export const durationInput = (input: Duration.Input | string | number): string | number =>
  typeof input === "string" || typeof input === "number" ? input : Duration.toMillis(input)
