/**
 * A command that cannot do what it was asked: a bad flag value, a file it cannot read, a config
 * that does not load. The command prints the message on stderr and exits with status 1.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * @since 0.1.0
 * @category errors
 */
export class CliError extends Data.TaggedError("CliError")<{ readonly message: string }> {}
