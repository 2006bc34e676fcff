/**
 * The gateway's configuration: an optional JSON file (`STREAMGUARD_CONFIG`) overridden by env vars,
 * decoded with Schema at start-up. A bad value stops start-up naming the key and the reason.
 *
 * Every setting is described once, in the table below: its name (the file key), env var, default,
 * validation and help text. Loading, the file's schema, the defaults and `--help` all read it.
 *
 * @since 0.1.0
 */
import { ConfigFile, EnvVars, ProfileConfig, Profiles, TimeoutPolicy } from "@streamguard/core"
import { Array as Arr, Context, Duration, Effect, Layer, Option, Redacted, Schema, SchemaTransformation } from "effect"
import type { FileSystem } from "effect"
import * as Net from "node:net"
import { ConfigLoadError } from "./ConfigLoadError.js"
import * as HelpText from "./HelpText.js"
import * as SchemaIssues from "./internal/schemaIssues.js"
import * as RateLimitsConfig from "./RateLimitsConfig.js"
import * as Route from "./Route.js"
import * as Setting from "./Setting.js"
import type { Upstream } from "./Upstream.js"
import { apiKeys, Upstreams } from "./Upstream.js"

/**
 * One upstream provider (the config file's `upstreams` entries).
 *
 * @since 0.1.0
 * @category models
 */
export { Upstream } from "./Upstream.js"

/** A Redis URL (it may hold a password), or none. */
const RedisUrlFromString: Schema.Codec<Redacted.Redacted | undefined, string> = Setting.NonEmptyTrimmedString.pipe(
  Schema.decodeTo(
    Schema.UndefinedOr(Schema.Redacted(Schema.String)),
    SchemaTransformation.transform({
      decode: (url: string): Redacted.Redacted<string> | undefined => Redacted.make(url),
      encode: (url: Redacted.Redacted<string> | undefined) => url === undefined ? "" : Redacted.value(url)
    })
  )
)

/** The env var naming the file, which core's profile loading reads too. */
const configFile: HelpText.Row = {
  env: ConfigFile.key,
  file: undefined,
  default: "(none)",
  description: "path of the JSON config file"
}

/** Comma-separated keys, as `STREAMGUARD_GATEWAY_KEYS` holds them. */
const KeysFromString: Schema.Codec<ReadonlyArray<Redacted.Redacted>, string> = Schema.String.pipe(
  Schema.decodeTo(
    Schema.Array(Schema.Redacted(Schema.String)),
    SchemaTransformation.transform({
      decode: (text: string): ReadonlyArray<Redacted.Redacted<string>> =>
        text.split(",").map((key) => key.trim()).filter((key) => key.length > 0).map((key) => Redacted.make(key)),
      encode: (keys: ReadonlyArray<Redacted.Redacted<string>>) => keys.map(Redacted.value).join(",")
    })
  )
)

/** A secret in the file: text, trimmed and not empty, kept redacted once read. */
const SecretText = Schema.RedactedFromValue(Setting.NonEmptyTrimmedString)

const settings = {
  port: Setting.port("PORT", 8080, "port the gateway listens on"),
  host: Setting.text("HOST", "0.0.0.0", "address the gateway binds"),
  simPort: Setting.port("SIM_PORT", 8787, "port of the in-process simulator (only when no upstream is configured)"),
  defaultProfile: Setting.text(
    "STREAMGUARD_DEFAULT_PROFILE",
    "chat",
    "profile of requests that name none and whose upstream has no default"
  ),
  maxConcurrentStreams: Setting.count(
    "STREAMGUARD_MAX_CONCURRENT_STREAMS",
    256,
    "requests in flight at once, overall (per upstream: upstreams[].maxConcurrentStreams); over it a request " +
      "waits up to its profile's pool timeout, or gets 503 at once when the profile sets no pool limit"
  ),
  maxBodyBytes: Setting.count(
    "STREAMGUARD_MAX_BODY_BYTES",
    4 * 1024 * 1024,
    "largest request body accepted (413 above)"
  ),
  keepaliveInterval: Setting.duration(
    "STREAMGUARD_KEEPALIVE_INTERVAL",
    Duration.seconds(15),
    "SSE comment to the client after this much upstream silence"
  ),
  drainWindow: Setting.duration(
    "STREAMGUARD_DRAIN_WINDOW",
    Duration.seconds(10),
    "on-disconnect=drain: how long to keep reading the upstream"
  ),
  drainTimeout: Setting.duration(
    "STREAMGUARD_DRAIN_TIMEOUT",
    Duration.seconds(30),
    "on SIGTERM: how long in-flight streams may finish"
  ),
  headersTimeout: Setting.duration(
    "STREAMGUARD_HEADERS_TIMEOUT",
    Duration.seconds(10),
    "a client must send its request headers within this (slowloris)"
  ),
  bodyTimeout: Setting.duration(
    "STREAMGUARD_BODY_TIMEOUT",
    Duration.seconds(30),
    "a client must send its whole request within this (slowloris)"
  ),
  gatewayKeys: Setting.make<ReadonlyArray<Redacted.Redacted>>({
    env: { name: "STREAMGUARD_GATEWAY_KEYS", schema: KeysFromString },
    file: Schema.Array(SecretText),
    default: [],
    shown: "(none: auth off)",
    description: "comma-separated bearer tokens clients must send (required when an upstream has an apiKeyEnv " +
      "and host is not loopback)"
  }),
  allowOpenProxy: Setting.flag(
    "STREAMGUARD_ALLOW_OPEN_PROXY",
    false,
    "true: start without gateway keys though keyed upstreams are reachable from other hosts (something in " +
      "front authenticates)"
  ),
  upstreams: Setting.make<ReadonlyArray<Upstream>>({
    env: undefined,
    file: Upstreams,
    default: [],
    shown: "(none: simulator)",
    description:
      "[{ name, baseUrl, dialect, apiKeyEnv?, models?: [patterns], defaultProfile?, maxConcurrentStreams? }]",
    related: [{
      env: "<upstreams[].apiKeyEnv>",
      file: undefined,
      default: "(required when named)",
      description: "an upstream's API key; never logged"
    }]
  }),
  routes: Setting.make<ReadonlyArray<Route.RouteEntry>>({
    env: undefined,
    file: Route.RouteEntries,
    default: [],
    shown: "(none: each upstream's own models)",
    description: "[{ models: [patterns], upstreams: [name | { upstream, model? }], hedgeAfter?, maxHedges? }]: " +
      "fallback chains, tried before the upstreams' own models"
  }),
  redisUrl: Setting.make<Redacted.Redacted | undefined>({
    env: { name: "STREAMGUARD_REDIS_URL", schema: RedisUrlFromString },
    file: Schema.UndefinedOr(SecretText),
    default: undefined,
    shown: "(none: limits per process)",
    description: "redis://[user:password@]host[:port][/db] where replicas share their rate limits"
  }),
  rateLimits: Setting.make<RateLimitsConfig.RateLimitsConfig>({
    env: undefined,
    file: RateLimitsConfig.RateLimitsConfig,
    default: { upstreams: {} },
    shown: "(none)",
    description: "{ perKey?: <rate>, upstreams?: { <name>: <rate> } }, a rate being { requests, per, " +
      "whenStoreDown?: local | refuse }: over it a request gets 429"
  }),
  profiles: Setting.make<Readonly<Record<string, ProfileConfig.ProfileEntry>>>({
    env: undefined,
    file: Schema.Record(Schema.String, ProfileConfig.ProfileEntry),
    default: {},
    shown: "(built-ins)",
    description: `{ <name>: { base?: ${Profiles.builtinNames.join(" | ")}, ${TimeoutPolicy.allFields.join(", ")} } }`,
    related: [{
      env: "STREAMGUARD_<PROFILE>_<FIELD>_TIMEOUT",
      file: undefined,
      default: "(built-in profile)",
      description: `override one field of a profile, e.g. ${ProfileConfig.envKey("chat", "chunk")}=45s, or none`
    }, {
      env: "STREAMGUARD_<PROFILE>_MIN_RATE",
      file: undefined,
      default: "(none)",
      description: `a profile's minRate, e.g. ${ProfileConfig.envKey("chat", "minRate")}=5/10s, or none`
    }]
  })
}

/**
 * The config file's shape: every key optional, none other allowed (a misspelt key fails start-up:
 * `SchemaIssues.decode` refuses keys a schema does not name).
 */
const FileConfig = Schema.Struct(Setting.fileFields(settings))

/**
 * The decoded configuration: every setting of the table (`gatewayKeys`: the bearer tokens
 * clients must present, none: auth off; `profiles`: the file's custom profiles and overrides of
 * the built-in ones, env overrides come later), and what follows from them.
 *
 * @since 0.1.0
 * @category models
 */
export interface GatewayConfigShape extends Setting.Values<typeof settings> {
  /** Upstream name -> its API key, read from the env var its `apiKeyEnv` names. */
  readonly upstreamKeys: ReadonlyMap<string, Redacted.Redacted>
  /** True when no upstream was configured: `npm start` then runs the simulator in-process. */
  readonly simulated: boolean
}

/**
 * Every profile's policy (`ProfileConfig.resolveAll`: the built-ins and the file's custom profiles, the
 * env's overrides applied), or the error naming the bad key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const profilePolicies = (
  profiles: Readonly<Record<string, ProfileConfig.ProfileEntry>>
): Effect.Effect<ReadonlyMap<string, TimeoutPolicy.TimeoutPolicy>, ConfigLoadError> =>
  ProfileConfig.resolveAll(profiles).pipe(
    Effect.mapError((error) =>
      error._tag === "InvalidProfileConfig"
        ? ConfigLoadError.fromProfileConfig(error)
        : new ConfigLoadError({ key: "profiles", reason: error.message })
    )
  )

/** Whether only this machine can reach `host`: `localhost`, 127.0.0.0/8 or ::1. */
const isLoopback = (host: string): boolean => {
  if (host === "localhost") return true
  const family = Net.isIP(host)
  return family !== 0 && loopback.check(host, family === 4 ? "ipv4" : "ipv6")
}
const loopback = new Net.BlockList()
loopback.addSubnet("127.0.0.0", 8, "ipv4")
loopback.addAddress("::1", "ipv6")
loopback.addSubnet("::ffff:127.0.0.0", 104, "ipv6")

/**
 * The gateway must not start as an open proxy by accident: with upstreams that carry the
 * operator's API keys, no gateway keys and an address other hosts can reach, anyone who reaches
 * the port spends those keys. `allowOpenProxy` says it is meant (something in front authenticates).
 */
const checkOpenProxy = (values: Setting.Values<typeof settings>) => {
  const keyed = values.upstreams.filter((upstream) => upstream.apiKeyEnv !== undefined).map((upstream) => upstream.name)
  if (keyed.length === 0 || values.gatewayKeys.length > 0 || isLoopback(values.host) || values.allowOpenProxy) {
    return Effect.void
  }
  const [sends, them] = keyed.length === 1
    ? [`upstream ${keyed[0]} sends your API key`, "it"]
    : [`upstreams ${keyed.join(", ")} send your API keys`, "them"]
  return new ConfigLoadError({
    key: settings.gatewayKeys.env!.name,
    reason: `not set, while ${sends} and the gateway binds ${values.host}, which other hosts can reach: ` +
      `anyone who reaches the port could spend ${them}. Set ${settings.gatewayKeys.env!.name}, or bind ` +
      `HOST=127.0.0.1, or set ${settings.allowOpenProxy.env.name}=true when something in front authenticates`
  })
}

/**
 * Every `STREAMGUARD_*` variable set must be one the gateway reads: a setting's, a profile's, or
 * an upstream's `apiKeyEnv`. A misspelt one would leave its default in place unnoticed, so it stops
 * start-up, named with the valid name nearest to it.
 */
const checkEnvNames = (values: Setting.Values<typeof settings>) =>
  Effect.gen(function*() {
    const known = [
      configFile.env,
      ...Setting.envNames(settings),
      ...ProfileConfig.envKeys(ProfileConfig.knownNames(values.profiles)),
      ...values.upstreams.flatMap((upstream) => upstream.apiKeyEnv === undefined ? [] : [upstream.apiKeyEnv])
    ]
    const unknown = yield* EnvVars.unknown(known).pipe(
      Effect.mapError((error) => new ConfigLoadError({ key: EnvVars.prefix, reason: String(error) }))
    )
    if (Arr.isReadonlyArrayNonEmpty(unknown)) {
      return yield* ConfigLoadError.all(Arr.map(unknown, (found) => ({ key: found.name, reason: found.reason })))
    }
  })

/**
 * The file at `path`, read as JSON by core's `ConfigFile.read` (a file that cannot be read, or is
 * not JSON, is its mistake), then decoded here: every mistake named with its key path.
 */
const readFile = (path: string) =>
  ConfigFile.read(path, Schema.Unknown).pipe(
    Effect.mapError(ConfigLoadError.fromProfileConfig),
    Effect.flatMap((json) =>
      Effect.mapError(SchemaIssues.decode(FileConfig, json), (mistakes) =>
        ConfigLoadError.all(
          Arr.map(mistakes, (mistake) => ({
            key: `${ConfigFile.key} (${path})`,
            reason: SchemaIssues.format(mistake)
          }))
        ))
    )
  )

/**
 * Reads and decodes the configuration from the current `ConfigProvider` (env by default) and the
 * file `STREAMGUARD_CONFIG` names. Env values and upstream API keys are read with
 * `Config.Redacted`, so they never print.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load: Effect.Effect<GatewayConfigShape, ConfigLoadError, FileSystem.FileSystem> = Effect.gen(
  function*() {
    const path = yield* Setting.fromEnv(configFile.env, Setting.NonEmptyTrimmedString)
    const file = Option.isSome(path) ? yield* readFile(path.value) : {}
    const values = yield* Setting.resolve(settings, file)
    yield* RateLimitsConfig.check(values.rateLimits, values.upstreams)
    yield* Route.resolve(values.routes, values.upstreams)
    yield* checkEnvNames(values)
    yield* checkOpenProxy(values)
    // Every profile resolved once here too, so a bad STREAMGUARD_<PROFILE>_* value stops start-up
    // before anything (the simulator) starts.
    yield* profilePolicies(values.profiles)
    return {
      ...values,
      upstreamKeys: yield* apiKeys(values.upstreams),
      simulated: values.upstreams.length === 0
    }
  }
)

/**
 * The gateway's configuration, decoded once at start-up.
 *
 * @since 0.1.0
 * @category tags
 */
export class GatewayConfig extends Context.Service<GatewayConfig, GatewayConfigShape>()("gateway/GatewayConfig") {
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
  ...Setting.defaults(settings),
  upstreamKeys: new Map(),
  simulated: true
}

/**
 * The `--help` text: every key with its default.
 *
 * @since 0.1.0
 * @category constants
 */
export const helpText = (): string =>
  HelpText.render({
    title: "streamguard gateway: an OpenAI- and Anthropic-compatible streaming proxy that enforces timeout profiles",
    usage: "npm start [-- --help]",
    rows: [configFile, ...Setting.rows(settings)],
    notes: [
      "Durations: 30s, 2m, 1500ms, \"30 seconds\", a number of milliseconds, or none.",
      "A profile's minRate: <events>/<window>, e.g. 5/10s (at least 5 content events in every 10 s once content " +
      "began), or none. minRate and reasoning are off unless set.",
      `With no upstream configured, the simulator runs on 127.0.0.1:${settings.simPort.env.name} and serves every ` +
      "sim:* model (gateway keys, when set, still apply).",
      `With an upstream that has an apiKeyEnv, ${settings.gatewayKeys.env!.name} is required unless host is loopback ` +
      `(127.0.0.1, ::1) or ${settings.allowOpenProxy.env.name}=true: otherwise anyone reaching the port spends that key.`,
      "A STREAMGUARD_* variable the gateway does not read stops start-up, named with the nearest valid name."
    ]
  })
