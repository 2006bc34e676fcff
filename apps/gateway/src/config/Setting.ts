/**
 * One setting of the gateway, described once: the env var that sets it, its file key's schema,
 * its default and its help text. A table of settings is read (the env var wins over the file, the
 * file over the default), checked (a bad value names its env var, or the file and its field),
 * and listed by `--help`, all from that description.
 *
 * @since 0.1.0
 */
import { TimeoutPolicy } from "@streamguard/core"
import { Config, Duration, Effect, Option, Redacted, Schema, SchemaIssue, SchemaTransformation } from "effect"
import { ConfigLoadError } from "./ConfigLoadError.js"
import type * as HelpText from "./HelpText.js"
import * as SchemaIssues from "./internal/schemaIssues.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Setting<A> {
  /** The env var that sets it, over the file, and how its text decodes; none: the file only. */
  readonly env: { readonly name: string; readonly schema: Schema.Codec<A, string> } | undefined
  /** How the file's value decodes; the file key is the setting's name in its table. */
  readonly file: Schema.Codec<A, any>
  readonly default: A
  /** The default as `--help` shows it. */
  readonly shown: string
  readonly description: string
  /** Keys read on its behalf that `--help` lists after it (an upstream's API key, ...). */
  readonly related?: ReadonlyArray<HelpText.Row> | undefined
}

/**
 * A setting an env var sets.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnvSetting<A> extends Setting<A> {
  readonly env: { readonly name: string; readonly schema: Schema.Codec<A, string> }
}

/**
 * The values of a table of settings, by name.
 *
 * @since 0.1.0
 * @category models
 */
export type Values<S extends Record<string, Setting<any>>> = {
  readonly [K in keyof S]: S[K] extends Setting<infer A> ? A : never
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = <A>(setting: Setting<A>): Setting<A> => setting

// The checks stop at the first that fails (`abort`), as a value has one thing wrong with it to fix
// first: 1.5 is not an integer, whatever its range.
const isInt = Schema.isInt().abort()

/**
 * Text without leading or trailing whitespace, and not empty.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NonEmptyTrimmedString = Schema.String.check(
  Schema.isTrimmed().abort(),
  Schema.isNonEmpty({ expected: "a non empty string" })
).annotate({ identifier: "NonEmptyTrimmedString" })

/**
 * A count: an integer above zero.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PositiveInt = Schema.Number.check(isInt, Schema.isGreaterThan(0, { expected: "a positive number" }))
  .annotate({ identifier: "Int & positive" })

/** A TCP port number (0 picks a free one). */
const PortNumber = Schema.Number.check(
  isInt,
  Schema.isBetween({ minimum: 0, maximum: 65535 }, { expected: "a number between 0 and 65535" })
).annotate({ identifier: "Int & between(0, 65535)" })

/**
 * A number as an env var writes it: its text trimmed, `NaN`, or what `Number` reads (`1e3`, `0x10`);
 * empty text is no number.
 */
const NumberFromString: Schema.Codec<number, string> = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Number,
    SchemaTransformation.transformEffect({
      decode: (text: string) => {
        const value = text.trim() === "" ? Number.NaN : Number(text)
        return Number.isNaN(value) && text !== "NaN"
          ? Effect.fail(
            new SchemaIssue.InvalidValue({ message: `Unable to decode ${JSON.stringify(text)} into a number` }, text)
          )
          : Effect.succeed(value)
      },
      encode: (value: number) => Effect.succeed(String(value))
    })
  )
)

const numeric = (
  env: string,
  schema: Schema.Codec<number>,
  value: number,
  description: string
): EnvSetting<number> => ({
  env: { name: env, schema: NumberFromString.pipe(Schema.decodeTo(schema)) },
  file: schema,
  default: value,
  shown: String(value),
  description
})

/**
 * A TCP port (0 picks a free one).
 *
 * @since 0.1.0
 * @category constructors
 */
export const port = (env: string, value: number, description: string): EnvSetting<number> =>
  numeric(env, PortNumber, value, description)

/**
 * A count (`PositiveInt`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const count = (env: string, value: number, description: string): EnvSetting<number> =>
  numeric(env, PositiveInt, value, description)

/**
 * A non-empty text, trimmed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (env: string, value: string, description: string): EnvSetting<string> => ({
  env: { name: env, schema: NonEmptyTrimmedString },
  file: NonEmptyTrimmedString,
  default: value,
  shown: value,
  description
})

/** `true` or `false`, as an env var writes it. */
const BooleanFromString: Schema.Codec<boolean, string> = Schema.Literals(["true", "false"]).pipe(
  Schema.decodeTo(
    Schema.Boolean,
    SchemaTransformation.transform({
      decode: (text: "true" | "false") => text === "true",
      encode: (value: boolean) => value ? "true" as const : "false" as const
    })
  )
)

/**
 * A yes or no: `true` or `false`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const flag = (env: string, value: boolean, description: string): EnvSetting<boolean> => ({
  env: { name: env, schema: BooleanFromString },
  file: Schema.Boolean,
  default: value,
  shown: String(value),
  description
})

/**
 * A duration, or `none`, as the profiles' timeouts are written.
 *
 * @since 0.1.0
 * @category constructors
 */
export const duration = (
  env: string,
  value: Duration.Duration,
  description: string
): EnvSetting<Duration.Duration> => ({
  // Durations as operators write them (`30s`, `2m`, `1500 millis`, a number of milliseconds, `none`).
  env: { name: env, schema: TimeoutPolicy.Timeout as Schema.Codec<Duration.Duration, any> },
  file: TimeoutPolicy.Timeout,
  default: value,
  shown: Duration.format(value),
  description
})

/**
 * One env var, decoded from its trimmed text; none when it is not set, a failure naming it when
 * it does not decode. Read as a redacted value: some settings are secrets.
 *
 * @since 0.1.0
 * @category reading
 */
export const fromEnv = <A>(
  name: string,
  schema: Schema.Codec<A, string>
): Effect.Effect<Option.Option<A>, ConfigLoadError> =>
  Config.option(Config.Redacted(name)).pipe(
    Effect.mapError((error) => new ConfigLoadError({ key: name, reason: String(error) })),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeedNone,
      onSome: (raw) =>
        SchemaIssues.decode(schema, Redacted.value(raw).trim()).pipe(
          Effect.map(Option.some),
          // The value is the env var's whole text, so the path is empty: the message alone.
          Effect.mapError((mistakes) =>
            new ConfigLoadError({ key: name, reason: mistakes.map(SchemaIssues.format).join("; ") })
          )
        )
    }))
  )

const entries = <S extends Record<string, Setting<any>>>(settings: S) =>
  Object.entries(settings) as Array<[keyof S & string, Setting<unknown>]>

/**
 * The file's fields: one optional key per setting.
 *
 * @since 0.1.0
 * @category schemas
 */
export const fileFields = <S extends Record<string, Setting<any>>>(settings: S) =>
  Object.fromEntries(entries(settings).map(([key, setting]) => [key, Schema.optionalKey(setting.file)])) as {
    readonly [K in keyof S]: Schema.optionalKey<S[K]["file"]>
  }

/**
 * Every setting at its default.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults = <S extends Record<string, Setting<any>>>(settings: S): Values<S> =>
  Object.fromEntries(entries(settings).map(([key, setting]) => [key, setting.default])) as Values<S>

/**
 * Every setting: its env var, else the file's value, else its default.
 *
 * @since 0.1.0
 * @category reading
 */
export const resolve = <S extends Record<string, Setting<any>>>(
  settings: S,
  file: { readonly [K in keyof S]?: unknown }
): Effect.Effect<Values<S>, ConfigLoadError> =>
  Effect.map(
    Effect.forEach(entries(settings), ([key, setting]) =>
      Effect.map(
        setting.env === undefined ? Effect.succeedNone : fromEnv(setting.env.name, setting.env.schema),
        (value) => [key, Option.getOrElse(value, () => file[key] ?? setting.default)] as const
      )),
    (values) => Object.fromEntries(values) as Values<S>
  )

/**
 * The env vars a table of settings reads.
 *
 * @since 0.1.0
 * @category formatting
 */
export const envNames = (settings: Record<string, Setting<any>>): Array<string> =>
  entries(settings).flatMap(([, setting]) => setting.env === undefined ? [] : [setting.env.name])

/**
 * The settings as `--help` lists them, each followed by its related keys.
 *
 * @since 0.1.0
 * @category formatting
 */
export const rows = (settings: Record<string, Setting<any>>): Array<HelpText.Row> =>
  entries(settings).flatMap(([key, setting]) => [
    { env: setting.env?.name ?? "(file only)", file: key, default: setting.shown, description: setting.description },
    ...(setting.related ?? [])
  ])
