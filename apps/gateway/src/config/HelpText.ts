/**
 * The layout of the `--help` text: a title, the usage line, the config keys in aligned columns
 * (env var, file key, default, meaning), then notes.
 *
 * @since 0.1.0
 */

/**
 * One config key as `--help` lists it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly env: string
  readonly file: string | undefined
  readonly default: string
  readonly description: string
}

const columns = (env: string, file: string, value: string, description: string): string =>
  `  ${env.padEnd(38)} ${file.padEnd(22)} ${value.padEnd(20)} ${description}`

/**
 * The help text.
 *
 * @since 0.1.0
 * @category formatting
 */
export const render = (help: {
  readonly title: string
  readonly usage: string
  readonly rows: ReadonlyArray<Row>
  readonly notes: ReadonlyArray<string>
}): string =>
  [
    help.title,
    "",
    `usage: ${help.usage}`,
    "",
    columns("env var", "file key", "default", "meaning"),
    ...help.rows.map((row) => columns(row.env, row.file ?? "", row.default, row.description)),
    "",
    ...help.notes
  ].join("\n")
