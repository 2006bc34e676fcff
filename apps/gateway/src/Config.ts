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

/**
 * The config file's shape (every key optional). Env vars win over the file.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FileConfig = Schema.Struct({
  port: Schema.optional(Schema.Int.pipe(Schema.between(0, 65535))),
  host: Schema.optional(Schema.NonEmptyTrimmedString),
  simPort: Schema.optional(Schema.Int.pipe(Schema.between(0, 65535))),
  gatewayKeys: Schema.optional(Schema.Array(Schema.NonEmptyTrimmedString)),
  upstreams: Schema.optional(Schema.Array(Upstream)),
  profiles: Schema.optional(Schema.Record({ key: Schema.String, value: Profiles.ProfileEntry })),
  defaultProfile: Schema.optional(Schema.NonEmptyTrimmedString),
  maxConcurrentStreams: Schema.optional(PositiveInt),
  maxBodyBytes: Schema.optional(PositiveInt),
  keepaliveInterval: Schema.optional(TimeoutPolicy.Timeout),
  drainWindow: Schema.optional(TimeoutPolicy.Timeout),
  drainTimeout: Schema.optional(TimeoutPolicy.Timeout),
  headersTimeout: Schema.optional(TimeoutPolicy.Timeout),
  bodyTimeout: Schema.optional(TimeoutPolicy.Timeout)
})

/**
 * @since 0.1.0
 * @category models
 */
export type FileConfig = typeof FileConfig.Type

/**
 * The decoded configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface GatewayConfigShape {
  readonly port: number
  readonly host: string
  readonly simPort: number
  /** Bearer tokens clients must present; empty means auth is off. */
  readonly gatewayKeys: ReadonlyArray<Redacted.Redacted>
  readonly upstreams: ReadonlyArray<Upstream>
  /** Upstream name -> its API key, read from the env var its `apiKeyEnv` names. */
  readonly upstreamKeys: ReadonlyMap<string, Redacted.Redacted>
  /** Custom profiles and overrides of the built-in ones, from the file (env overrides come later). */
  readonly profiles: Readonly<Record<string, Profiles.ProfileEntry>>
  readonly defaultProfile: string
  readonly maxConcurrentStreams: number
  readonly maxBodyBytes: number
  readonly keepaliveInterval: Duration.Duration
  readonly drainWindow: Duration.Duration
  readonly drainTimeout: Duration.Duration
  readonly headersTimeout: Duration.Duration
  readonly bodyTimeout: Duration.Duration
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
 * Every config key, with its default. `--help` prints this list.
 *
 * @since 0.1.0
 * @category constants
 */
export const keys: ReadonlyArray<KeyDoc> = [
  { env: "STREAMGUARD_CONFIG", file: undefined, default: "(none)", description: "path of the JSON config file" },
  { env: "PORT", file: "port", default: "8080", description: "port the gateway listens on" },
  { env: "HOST", file: "host", default: "0.0.0.0", description: "address the gateway binds" },
  {
    env: "SIM_PORT",
    file: "simPort",
    default: "8787",
    description: "port of the in-process simulator (only when no upstream is configured)"
  },
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
  },
  {
    env: "STREAMGUARD_DEFAULT_PROFILE",
    file: "defaultProfile",
    default: "chat",
    description: "profile of requests that name none and whose upstream has no default"
  },
  {
    env: "STREAMGUARD_MAX_CONCURRENT_STREAMS",
    file: "maxConcurrentStreams",
    default: "256",
    description:
      "requests in flight at once, overall (per upstream: upstreams[].maxConcurrentStreams); over it a request " +
      "waits up to its profile's pool timeout, or gets 503 at once when the profile sets no pool limit"
  },
  {
    env: "STREAMGUARD_MAX_BODY_BYTES",
    file: "maxBodyBytes",
    default: "4194304",
    description: "largest request body accepted (413 above)"
  },
  {
    env: "STREAMGUARD_KEEPALIVE_INTERVAL",
    file: "keepaliveInterval",
    default: "15s",
    description: "SSE comment to the client after this much upstream silence"
  },
  {
    env: "STREAMGUARD_DRAIN_WINDOW",
    file: "drainWindow",
    default: "10s",
    description: "on-disconnect=drain: how long to keep reading the upstream"
  },
  {
    env: "STREAMGUARD_DRAIN_TIMEOUT",
    file: "drainTimeout",
    default: "30s",
    description: "on SIGTERM: how long in-flight streams may finish"
  },
  {
    env: "STREAMGUARD_HEADERS_TIMEOUT",
    file: "headersTimeout",
    default: "10s",
    description: "a client must send its request headers within this (slowloris)"
  },
  {
    env: "STREAMGUARD_BODY_TIMEOUT",
    file: "bodyTimeout",
    default: "30s",
    description: "a client must send its whole request within this (slowloris)"
  },
  {
    env: "<upstreams[].apiKeyEnv>",
    file: undefined,
    default: "(required when named)",
    description: "an upstream's API key; never logged"
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

const IntFromString = (min: number) =>
  Schema.compose(Schema.NumberFromString, Schema.Int.pipe(Schema.greaterThanOrEqualTo(min)))
const PortFromString = Schema.compose(Schema.NumberFromString, Schema.Int.pipe(Schema.between(0, 65535)))
const TimeoutFromString: Schema.Schema<Duration.Duration, string> = Schema.compose(
  Schema.String,
  TimeoutPolicy.Timeout,
  { strict: false }
)

const pick = <A>(fromEnv: Option.Option<A>, fromFile: A | undefined, fallback: A): A =>
  Option.getOrElse(fromEnv, () => fromFile ?? fallback)

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

    const port = pick(yield* env("PORT", PortFromString), file.port, 8080)
    const host = pick(yield* env("HOST", Schema.NonEmptyTrimmedString), file.host, "0.0.0.0")
    const simPort = pick(yield* env("SIM_PORT", PortFromString), file.simPort, 8787)
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
      port,
      host,
      simPort,
      gatewayKeys,
      upstreams,
      upstreamKeys,
      profiles: file.profiles ?? {},
      defaultProfile: pick(
        yield* env("STREAMGUARD_DEFAULT_PROFILE", Schema.NonEmptyTrimmedString),
        file.defaultProfile,
        "chat"
      ),
      maxConcurrentStreams: pick(
        yield* env("STREAMGUARD_MAX_CONCURRENT_STREAMS", IntFromString(1)),
        file.maxConcurrentStreams,
        256
      ),
      maxBodyBytes: pick(
        yield* env("STREAMGUARD_MAX_BODY_BYTES", IntFromString(1)),
        file.maxBodyBytes,
        4 * 1024 * 1024
      ),
      keepaliveInterval: pick(
        yield* env("STREAMGUARD_KEEPALIVE_INTERVAL", TimeoutFromString),
        file.keepaliveInterval,
        Duration.seconds(15)
      ),
      drainWindow: pick(
        yield* env("STREAMGUARD_DRAIN_WINDOW", TimeoutFromString),
        file.drainWindow,
        Duration.seconds(10)
      ),
      drainTimeout: pick(
        yield* env("STREAMGUARD_DRAIN_TIMEOUT", TimeoutFromString),
        file.drainTimeout,
        Duration.seconds(30)
      ),
      headersTimeout: pick(
        yield* env("STREAMGUARD_HEADERS_TIMEOUT", TimeoutFromString),
        file.headersTimeout,
        Duration.seconds(10)
      ),
      bodyTimeout: pick(
        yield* env("STREAMGUARD_BODY_TIMEOUT", TimeoutFromString),
        file.bodyTimeout,
        Duration.seconds(30)
      ),
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
  /** Reads env and the config file. */
  static readonly layer: Layer.Layer<GatewayConfig, ConfigLoadError, FileSystem.FileSystem> = Layer.effect(
    GatewayConfig,
    load
  )
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
  port: 8080,
  host: "0.0.0.0",
  simPort: 8787,
  gatewayKeys: [],
  upstreams: [],
  upstreamKeys: new Map(),
  profiles: {},
  defaultProfile: "chat",
  maxConcurrentStreams: 256,
  maxBodyBytes: 4 * 1024 * 1024,
  keepaliveInterval: Duration.seconds(15),
  drainWindow: Duration.seconds(10),
  drainTimeout: Duration.seconds(30),
  headersTimeout: Duration.seconds(10),
  bodyTimeout: Duration.seconds(30),
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
