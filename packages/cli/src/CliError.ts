/**
 * A command that cannot do what it was asked: a bad flag value, a file it cannot read, a config
 * that does not load. The program prints the message on stderr and exits with status 1.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category errors
 */
export class CliError extends Schema.TaggedError<CliError>("@streamguard/cli/CliError")("CliError", {
  message: Schema.String
}) {}
