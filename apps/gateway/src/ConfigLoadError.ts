/**
 * The error that stops start-up on a bad configuration.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A bad config file or value: names the key (env var, or file path and field) and the reason.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigLoadError extends Schema.TaggedError<ConfigLoadError>("gateway/ConfigLoadError")(
  "ConfigLoadError",
  { key: Schema.String, reason: Schema.String }
) {
  /**
   * `bad config <key>: <reason>`, as start-up prints it.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `bad config ${this.key}: ${this.reason}`
  }
}
