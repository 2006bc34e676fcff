/**
 * The gateway's configuration: an optional JSON file (`STREAMGUARD_CONFIG`) overridden by env vars,
 * decoded with Schema at start-up. A bad value stops start-up naming the key and the reason.
 *
 * @since 0.1.0
 */
import { FileSystem } from "@effect/platform"
import { Profiles, TimeoutPolicy } from "@streamguard/core"
import { Config, Context, Duration, Effect, Layer, Option, ParseResult, Redacted, Schema } from "effect"

/**
 * Which client endpoints an upstream serves: `openai` serves both OpenAI dialects (OpenAI, Azure,
 * OpenRouter, vLLM, Ollama's `/v1`), `openaiChat` / `openaiResponses` only one, `anthropic` the
 * Messages API, `any` every dialect (the simulator).
 *
 * @since 0.1.0
 * @category models
 */
export const UpstreamDialect = Schema.Literal("openai", "openaiChat", "openaiResponses", "anthropic", "any")

/**
 * @since 0.1.0
 * @category models
 */
export type UpstreamDialect = typeof UpstreamDialect.Type

const PositiveInt = Schema.Int.pipe(Schema.positive())

/**
 * One upstream provider.
 *
 * @since 0.1.0
 * @category models
 */
export class Upstream extends Schema.Class<Upstream>("gateway/Upstream")({
  name: Schema.NonEmptyTrimmedString,
  /** Where the provider's `/v1/...` paths live, e.g. `https://api.openai.com`. */
  baseUrl: Schema.String.pipe(Schema.filter((s) => URL.canParse(s) || `not a URL: ${JSON.stringify(s)}`)),
  dialect: UpstreamDialect,
  /** The env var holding this upstream's API key; none for keyless servers (Ollama, the simulator). */
  apiKeyEnv: Schema.optional(Schema.NonEmptyTrimmedString),
  /** Model name patterns; `*` matches any run of characters (`gpt-*`, `sim:*`). */
  models: Schema.NonEmptyArray(Schema.NonEmptyTrimmedString),
  /** The profile of requests to this upstream that name none. */
  defaultProfile: Schema.optional(Schema.NonEmptyTrimmedString),
  maxConcurrentStreams: Schema.optional(PositiveInt)
}) {}

/** Durations as operators write them (`30s`, `2m`, `1500 millis`, a number of milliseconds). */
const TimeoutFromString: Schema.Schema<Duration.Duration, string> = Schema.compose(
  Schema.String,
  TimeoutPolicy.Timeout,
  { strict: false }
)
const PortFromString = Schema.compose(Schema.NumberFromString, Schema.Int.pipe(Schema.between(0, 65535)))
const PositiveIntFromString = Schema.compose(Schema.NumberFromString, PositiveInt)
const Port = Schema.Int.pipe(Schema.between(0, 65535))

/**
 * One setting, described once: its file key, its env var (which wins over the file), how each
 * decodes, its default and what it means. Loading, the defaults and `--help` all read this.
 */
interface Setting<A> {
  readonly env: string
  readonly file: Schema.Schema<A, any>
  readonly fromEnv: Schema.Schema<A, string>
  readonly default: A
  /** The default as `--help` shows it. */
  readonly shown: string
  readonly description: string
}

const setting = <A>(setting: Setting<A>): Setting<A> => setting

const timeout = (env: string, seconds: number, description: string): Setting<Duration.Duration> =>
  setting({
    env,
    file: TimeoutPolicy.Timeout,
    fromEnv: TimeoutFromString,
    default: Duration.seconds(seconds),
    shown: `${seconds}s`,
    description
  })

/**
 * The scalar settings, each described once.
 *
 * @since 0.1.0
 * @category constants
 */
export const settings = {
  port: setting({
    env: "PORT",
    file: Port,
    fromEnv: PortFromString,
    default: 8080,
    shown: "8080",
    description: "port the gateway listens on"
  }),
  host: setting({
    env: "HOST",
    file: Schema.NonEmptyTrimmedString,
    fromEnv: Schema.NonEmptyTrimmedString,
    default: "0.0.0.0",
    shown: "0.0.0.0",
    description: "address the gateway binds"
  }),
  simPort: setting({
    env: "SIM_PORT",
    file: Port,
    fromEnv: PortFromString,
    default: 8787,
    shown: "8787",
    description: "port of the in-process simulator (only when no upstream is configured)"
  }),
  defaultProfile: setting({
    env: "STREAMGUARD_DEFAULT_PROFILE",
    file: Schema.NonEmptyTrimmedString,
    fromEnv: Schema.NonEmptyTrimmedString,
    default: "chat",
    shown: "chat",
    description: "profile of requests that name none and whose upstream has no default"
  }),
  maxConcurrentStreams: setting({
    env: "STREAMGUARD_MAX_CONCURRENT_STREAMS",
    file: PositiveInt,
    fromEnv: PositiveIntFromString,
    default: 256,
    shown: "256",
    description:
      "requests in flight at once, overall (per upstream: upstreams[].maxConcurrentStreams); over it a request " +
      "waits up to its profile's pool timeout, or gets 503 at once when the profile sets no pool limit"
  }),
  maxBodyBytes: setting({
    env: "STREAMGUARD_MAX_BODY_BYTES",
    file: PositiveInt,
    fromEnv: PositiveIntFromString,
    default: 4 * 1024 * 1024,
    shown: "4194304",
    description: "largest request body accepted (413 above)"
  }),
  keepaliveInterval: timeout(
    "STREAMGUARD_KEEPALIVE_INTERVAL",
    15,
    "SSE comment to the client after this much upstream silence"
  ),
  drainWindow: timeout("STREAMGUARD_DRAIN_WINDOW", 10, "on-disconnect=drain: how long to keep reading the upstream"),
  drainTimeout: timeout("STREAMGUARD_DRAIN_TIMEOUT", 30, "on SIGTERM: how long in-flight streams may finish"),
  headersTimeout: timeout(
    "STREAMGUARD_HEADERS_TIMEOUT",
    10,
    "a client must send its request headers within this (slowloris)"
  ),
  bodyTimeout: timeout("STREAMGUARD_BODY_TIMEOUT", 30, "a client must send its whole request within this (slowloris)")
} as const

type Settings = typeof settings
type Scalars = { readonly [K in keyof Settings]: Settings[K]["default"] extends infer A ? A : never }

const optionalFields = <Fields extends Record<string, Setting<any>>>(fields: Fields) =>
  Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, Schema.optional(field.file)])) as {
    readonly [K in keyof Fields]: Schema.optional<Fields[K]["file"]>
  }

/**
 * The config file's shape (every key optional). Env vars win over the file.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FileConfig = Schema.Struct({
  ...optionalFields(settings),
  gatewayKeys: Schema.optional(Schema.Array(Schema.NonEmptyTrimmedString)),
  upstreams: Schema.optional(Schema.Array(Upstream)),
  profiles: Schema.optional(Schema.Record({ key: Schema.String, value: Profiles.ProfileEntry }))
})

/**
 * @since 0.1.0
 * @category models
 */
export type FileConfig = typeof FileConfig.Type

/**
 * The decoded configuration: the scalar `settings`, and what the file and env describe in their
 * own ways (keys, upstreams, profiles).
 *
 * @since 0.1.0
 * @category models
 */
export interface GatewayConfigShape extends Scalars {
  /** Bearer tokens clients must present; empty means auth is off. */
  readonly gatewayKeys: ReadonlyArray<Redacted.Redacted>
  readonly upstreams: ReadonlyArray<Upstream>
  /** Upstream name -> its API key, read from the env var its `apiKeyEnv` names. */
  readonly upstreamKeys: ReadonlyMap<string, Redacted.Redacted>
  /** Custom profiles and overrides of the built-in ones, from the file (env overrides come later). */
  readonly profiles: Readonly<Record<string, Profiles.ProfileEntry>>
  /** True when no upstream was configured: `npm start` then runs the simulator in-process. */
  readonly simulated: boolean
}

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

/**
 * One config key as `--help` and the README list it.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyDoc {
  readonly env: string
  readonly file: string | undefined
  readonly default: string
  readonly description: string
}

/**
 * Every config key, with its default: the settings, and the keys read in their own ways. `--help`
 * prints this list.
 *
 * @since 0.1.0
 * @category constants
 */
export const keys: ReadonlyArray<KeyDoc> = [
  { env: "STREAMGUARD_CONFIG", file: undefined, default: "(none)", description: "path of the JSON config file" },
  ...Object.entries(settings).map(([file, s]) => ({ env: s.env, file, default: s.shown, description: s.description })),
  {
    env: "STREAMGUARD_GATEWAY_KEYS",
    file: "gatewayKeys",
    default: "(none: auth off)",
    description: "comma-separated bearer tokens clients must send"
  },
  {
    env: "(file only)",
    file: "upstreams",
    default: "(none: simulator)",
    description: "[{ name, baseUrl, dialect, apiKeyEnv?, models: [patterns], defaultProfile?, maxConcurrentStreams? }]"
  },
  {
    env: "<upstreams[].apiKeyEnv>",
    file: undefined,
    default: "(required when named)",
    description: "an upstream's API key; never logged"
  },
  {
    env: "(file only)",
    file: "profiles",
    default: "(built-ins)",
    description: "{ <name>: { connect, write, headers, pool, request, firstChunk, chunk, progress, total } }"
  },
  {
    env: "STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT",
    file: undefined,
    default: "(built-in profile)",
    description: "override one field of a profile, e.g. STREAMGUARD_CHAT_CHUNK_TIMEOUT=45s, or none"
  }
]

const formatIssue = (error: ParseResult.ParseError): string => ParseResult.TreeFormatter.formatErrorSync(error)

const readFile = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError((error) => new ConfigLoadError({ key: `STREAMGUARD_CONFIG (${path})`, reason: error.message }))
    )
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) =>
        new ConfigLoadError({
          key: `STREAMGUARD_CONFIG (${path})`,
          reason: `invalid JSON: ${error instanceof Error ? error.message : String(error)}`
        })
    })
    return yield* Schema.decodeUnknown(FileConfig, { onExcessProperty: "error" })(json).pipe(
      Effect.mapError((error) =>
        new ConfigLoadError({ key: `STREAMGUARD_CONFIG (${path})`, reason: formatIssue(error) })
      )
    )
  })

/** One env var, decoded with the schema of its field; the error names the env var. */
const env = <A>(key: string, schema: Schema.Schema<A, string>): Effect.Effect<Option.Option<A>, ConfigLoadError> =>
  Config.option(Config.string(key)).pipe(
    Effect.mapError((error) => new ConfigLoadError({ key, reason: String(error) })),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed(Option.none<A>()),
      onSome: (raw) =>
        Schema.decode(schema)(raw.trim()).pipe(
          Effect.map(Option.some),
          Effect.mapError((error) => new ConfigLoadError({ key, reason: formatIssue(error) }))
        )
    }))
  )

/** Every setting: its env var, else the file's value, else its default. */
const scalars = (file: FileConfig): Effect.Effect<Scalars, ConfigLoadError> =>
  Effect.map(
    Effect.forEach(Object.entries(settings), ([key, s]) =>
      Effect.map(
        env(s.env, s.fromEnv as Schema.Schema<unknown, string>),
        (fromEnv) =>
          [key, Option.getOrElse(fromEnv, () => (file as Record<string, unknown>)[key] ?? s.default)] as const
      )),
    (entries) => Object.fromEntries(entries) as unknown as Scalars
  )

/**
 * Reads and decodes the configuration from the current `ConfigProvider` (env by default) and the
 * file `STREAMGUARD_CONFIG` names. Upstream API keys are read with `Config.redacted`, so they
 * never print.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load: Effect.Effect<GatewayConfigShape, ConfigLoadError, FileSystem.FileSystem> = Effect.gen(
  function*() {
    const path = yield* env("STREAMGUARD_CONFIG", Schema.NonEmptyTrimmedString)
    const file: FileConfig = Option.isSome(path) ? yield* readFile(path.value) : {}
    const keysFromEnv = yield* Config.option(Config.redacted("STREAMGUARD_GATEWAY_KEYS")).pipe(
      Effect.mapError((error) => new ConfigLoadError({ key: "STREAMGUARD_GATEWAY_KEYS", reason: String(error) }))
    )
    const gatewayKeys = Option.match(keysFromEnv, {
      onNone: () => (file.gatewayKeys ?? []).map((key) => Redacted.make(key)),
      onSome: (keys) =>
        Redacted.value(keys).split(",").map((key) => key.trim()).filter((key) => key.length > 0).map((key) =>
          Redacted.make(key)
        )
    })
    const upstreams = file.upstreams ?? []
    const names = new Set<string>()
    for (const upstream of upstreams) {
      if (names.has(upstream.name)) {
        return yield* new ConfigLoadError({ key: "upstreams", reason: `duplicate upstream name ${upstream.name}` })
      }
      names.add(upstream.name)
    }
    const upstreamKeys = new Map<string, Redacted.Redacted>()
    for (const upstream of upstreams) {
      if (upstream.apiKeyEnv === undefined) continue
      const key = yield* Config.redacted(upstream.apiKeyEnv).pipe(
        Effect.mapError(() =>
          new ConfigLoadError({
            key: upstream.apiKeyEnv!,
            reason: `upstream ${upstream.name} reads its API key from ${upstream.apiKeyEnv}, which is not set`
          })
        )
      )
      upstreamKeys.set(upstream.name, key)
    }
    return {
      ...(yield* scalars(file)),
      gatewayKeys,
      upstreams,
      upstreamKeys,
      profiles: file.profiles ?? {},
      simulated: upstreams.length === 0
    } satisfies GatewayConfigShape
  }
)

/**
 * The gateway's configuration, decoded once at start-up.
 *
 * @since 0.1.0
 * @category tags
 */
export class GatewayConfig extends Context.Tag("gateway/GatewayConfig")<GatewayConfig, GatewayConfigShape>() {
  /** A fixed configuration (tests, embedding). */
  static readonly make = (config: GatewayConfigShape): Layer.Layer<GatewayConfig> =>
    Layer.succeed(GatewayConfig, config)
}

/**
 * The defaults, for tests and embedding: the simulator mode with no upstream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: GatewayConfigShape = {
  ...(Object.fromEntries(Object.entries(settings).map(([key, s]) => [key, s.default])) as unknown as Scalars),
  gatewayKeys: [],
  upstreams: [],
  upstreamKeys: new Map(),
  profiles: {},
  simulated: true
}

/**
 * The `--help` text: every key with its default.
 *
 * @since 0.1.0
 * @category constants
 */
export const helpText = (): string => {
  const rows = keys.map((key) =>
    `  ${key.env.padEnd(38)} ${(key.file ?? "").padEnd(22)} ${key.default.padEnd(20)} ${key.description}`
  )
  return [
    "streamguard gateway: an OpenAI- and Anthropic-compatible streaming proxy that enforces timeout profiles",
    "",
    "usage: npm start [-- --help]",
    "",
    `  ${"env var".padEnd(38)} ${"file key".padEnd(22)} ${"default".padEnd(20)} meaning`,
    ...rows,
    "",
    "Durations: 30s, 2m, 1500ms, \"30 seconds\", a number of milliseconds, or none.",
    "With no upstream configured, the simulator runs on 127.0.0.1:SIM_PORT and serves every sim:* model, auth off."
  ].join("\n")
}
