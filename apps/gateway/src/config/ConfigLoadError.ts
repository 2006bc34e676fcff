/**
 * The error that stops start-up on a bad configuration.
 *
 * @since 0.1.0
 */
import { ConfigFile, ProfileConfigError } from "@streamguard/core"
import { Array as Arr, Effect, Schema } from "effect"

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
    others: Schema.Array(ProfileConfigError.Mistake).pipe(Schema.withConstructorDefault(Effect.succeed([])))
  }
) {
  /**
   * The error of several mistakes, the first one first.
   *
   * @since 0.1.0
   */
  static all(mistakes: Arr.NonEmptyReadonlyArray<ProfileConfigError.Mistake>): ConfigLoadError {
    const [first, ...others] = mistakes
    return new ConfigLoadError({ ...first, others })
  }

  /**
   * Core's error of a profile value or of the config file, as start-up names it: an env var as
   * itself; a mistake in the file as `STREAMGUARD_CONFIG (<path>)`, its reason the key path and
   * what is wrong (`upstreams[0].dialect: Expected ...`), as `ParseIssues` writes one line.
   *
   * @since 0.1.0
   */
  static fromProfileConfig(error: ProfileConfigError.InvalidProfileConfig): ConfigLoadError {
    const { source } = error
    if (source === undefined) return ConfigLoadError.all(error.mistakes)
    return ConfigLoadError.all(Arr.map(error.mistakes, (mistake) => ({
      key: `${ConfigFile.key} (${source})`,
      reason: mistake.key === ConfigFile.key ? mistake.reason : `${mistake.key}: ${mistake.reason}`
    })))
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
