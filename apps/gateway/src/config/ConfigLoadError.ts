/**
 * The error that stops start-up on a bad configuration.
 *
 * @since 0.1.0
 */
import type { Array as Arr } from "effect"
import { Schema } from "effect"

/**
 * One mistake: the key (env var, or file path and field) and the reason.
 *
 * @since 0.1.0
 * @category models
 */
export const Mistake = Schema.Struct({ key: Schema.String, reason: Schema.String })

/**
 * @since 0.1.0
 * @category models
 */
export type Mistake = typeof Mistake.Type

/**
 * A bad config file or value: names the key (env var, or file path and field) and the reason;
 * `others` holds the mistakes found with it (a file, or the environment, can hold several), so
 * an operator fixes them all at once.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigLoadError extends Schema.TaggedError<ConfigLoadError>("gateway/ConfigLoadError")(
  "ConfigLoadError",
  {
    key: Schema.String,
    reason: Schema.String,
    others: Schema.optionalWith(Schema.Array(Mistake), { default: () => [] })
  }
) {
  /**
   * The error of several mistakes, the first one first.
   *
   * @since 0.1.0
   */
  static all(mistakes: Arr.NonEmptyReadonlyArray<Mistake>): ConfigLoadError {
    const [first, ...others] = mistakes
    return new ConfigLoadError({ ...first, others })
  }

  /**
   * `bad config <key>: <reason>`, as start-up prints it: one such line per mistake.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return [{ key: this.key, reason: this.reason }, ...this.others]
      .map((mistake) => `bad config ${mistake.key}: ${mistake.reason}`)
      .join("\n")
  }
}
