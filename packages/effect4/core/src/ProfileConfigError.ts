/**
 * What reading StreamGuard's configuration can fail with: a value that cannot be used, naming
 * every mistake, and a profile nobody defined.
 *
 * @since 0.1.0
 */
import * as Messages from "@streamguard/kernel/Messages"
import type * as Arr from "effect/Array"
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * One mistake: the key as the operator wrote it (an environment variable, a key path inside the
 * config file such as `profiles.chat.chunk`, or `STREAMGUARD_CONFIG` for the file as a whole) and
 * what is wrong with it.
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
 * A config value (an environment key or a key of the `STREAMGUARD_CONFIG` file) could not be
 * used. `key` names it as the operator wrote it (`STREAMGUARD_CHAT_CHUNK_TIMEOUT`, or
 * `profiles.chat.chunk` inside the file named by `source`); `others` holds the mistakes found with
 * it in the same source (a file can hold several), so an operator fixes them all at once.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidProfileConfig extends Schema.TaggedError<InvalidProfileConfig>(
  "@streamguard/core/InvalidProfileConfig"
)("InvalidProfileConfig", {
  key: Schema.String,
  /** The config file, for a key inside it. */
  source: Schema.optional(Schema.String),
  reason: Schema.String,
  others: Schema.Array(Mistake).pipe(Schema.withConstructorDefault(Effect.succeed([])))
}) {
  /**
   * The error of several mistakes in one source, the first one first.
   *
   * @since 0.1.0
   */
  static all(mistakes: Arr.NonEmptyReadonlyArray<Mistake>, source?: string): InvalidProfileConfig {
    const [first, ...others] = mistakes
    return new InvalidProfileConfig({ ...first, ...(source === undefined ? {} : { source }), others })
  }

  /**
   * Every mistake, the first one first.
   *
   * @since 0.1.0
   */
  get mistakes(): Arr.NonEmptyReadonlyArray<Mistake> {
    return [{ key: this.key, reason: this.reason }, ...this.others]
  }

  /**
   * `bad config <key> (<source>): <reason>`: one such line per mistake.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return Messages.invalidConfig(this.mistakes, this.source)
  }
}

/**
 * The requested profile is neither built in nor defined in the config file.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownProfile extends Schema.TaggedError<UnknownProfile>("@streamguard/core/UnknownProfile")(
  "UnknownProfile",
  {
    name: Schema.String,
    known: Schema.Array(Schema.String)
  }
) {
  /** @since 0.1.0 */
  override get message(): string {
    return Messages.unknownProfile(this)
  }
}

/**
 * What loading profiles from config can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type ProfileConfigError = Config.ConfigError | InvalidProfileConfig | UnknownProfile
