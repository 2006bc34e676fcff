import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Config } from "@streamguard/gateway"
import type { ConfigLoadError } from "@streamguard/gateway/config/ConfigLoadError"
import * as GatewayProfiles from "@streamguard/gateway/request/GatewayProfiles"
import { ConfigProvider, Duration, Effect, Exit, Option, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const loadWith = (env: Record<string, string>) =>
  Config.load.pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env })),
    Effect.provide(NodeFileSystem.layer)
  )

const failureOf = <A>(exit: Exit.Exit<A, ConfigLoadError>) => {
  assert.isTrue(Exit.isFailure(exit))
  return Option.getOrUndefined(Exit.findErrorOption(exit))
}

describe("Config.load", () => {
  it.effect("gives the documented defaults and the simulator mode when nothing is set", () =>
    Effect.gen(function*() {
      const config = yield* loadWith({})
      assert.strictEqual(config.port, 8080)
      assert.strictEqual(config.simPort, 8787)
      assert.isTrue(config.simulated)
      assert.strictEqual(Duration.toMillis(config.keepaliveInterval), 15_000)
      assert.strictEqual(Duration.toMillis(config.drainWindow), 10_000)
      assert.strictEqual(Duration.toMillis(config.drainTimeout), 30_000)
    }))

  it.effect("a bad env value fails naming its key", () =>
    Effect.gen(function*() {
      const error = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_KEEPALIVE_INTERVAL: "soon" })))
      assert.strictEqual(error?.key, "STREAMGUARD_KEEPALIVE_INTERVAL")
      const port = failureOf(yield* Effect.exit(loadWith({ PORT: "99999" })))
      assert.strictEqual(port?.key, "PORT")
    }))

  it.effect("reads upstreams from the file, their keys from the env they name, and names a bad field", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "gateway-config-"))
      const good = join(dir, "good.json")
      writeFileSync(
        good,
        JSON.stringify({
          upstreams: [{
            name: "openai",
            baseUrl: "https://api.openai.com/v1",
            dialect: "openai",
            apiKeyEnv: "OPENAI_API_KEY",
            models: ["gpt-*"]
          }],
          keepaliveInterval: "5s"
        })
      )
      const config = yield* loadWith({ STREAMGUARD_CONFIG: good, OPENAI_API_KEY: "sk-test", HOST: "127.0.0.1" })
      assert.isFalse(config.simulated)
      assert.strictEqual(Redacted.value(config.upstreamKeys.get("openai")!), "sk-test")
      assert.notInclude(String(config.upstreamKeys.get("openai")), "sk-test")
      assert.strictEqual(Duration.toMillis(config.keepaliveInterval), 5_000)

      const missingKey = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_CONFIG: good, HOST: "127.0.0.1" })))
      assert.strictEqual(missingKey?.key, "OPENAI_API_KEY")

      const bad = join(dir, "bad.json")
      writeFileSync(
        bad,
        JSON.stringify({ upstreams: [{ name: "x", baseUrl: "nope", dialect: "openai", models: ["*"] }] })
      )
      const badField = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_CONFIG: bad })))
      assert.include(badField?.reason ?? "", "baseUrl")
    }))

  it.effect("refuses to start as an open proxy: a keyed upstream, no gateway keys, an address other hosts reach", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "gateway-config-"))
      const file = join(dir, "keyed.json")
      const upstream = { baseUrl: "https://api.openai.com/v1", dialect: "openai", models: ["gpt-*"] }
      writeFileSync(
        file,
        JSON.stringify({
          upstreams: [
            { name: "openai", apiKeyEnv: "OPENAI_API_KEY", ...upstream },
            { name: "local", ...upstream, models: ["llama*"] }
          ]
        })
      )
      const keyed = { STREAMGUARD_CONFIG: file, OPENAI_API_KEY: "sk-test" }
      for (const host of [undefined, "0.0.0.0", "::", "10.1.2.3", "gateway.internal"]) {
        const error = failureOf(yield* Effect.exit(loadWith(host === undefined ? keyed : { ...keyed, HOST: host })))
        assert.strictEqual(error?.key, "STREAMGUARD_GATEWAY_KEYS", String(host))
        assert.strictEqual(
          error?.reason,
          `not set, while upstream openai sends your API key and the gateway binds ${host ?? "0.0.0.0"}, which ` +
            "other hosts can reach: anyone who reaches the port could spend it. Set STREAMGUARD_GATEWAY_KEYS, or " +
            "bind HOST=127.0.0.1, or set STREAMGUARD_ALLOW_OPEN_PROXY=true when something in front authenticates"
        )
      }
      // Loopback, gateway keys, or the explicit setting: it starts.
      for (const host of ["127.0.0.1", "127.8.9.10", "::1", "localhost"]) yield* loadWith({ ...keyed, HOST: host })
      yield* loadWith({ ...keyed, STREAMGUARD_GATEWAY_KEYS: "client-key" })
      const allowed = yield* loadWith({ ...keyed, STREAMGUARD_ALLOW_OPEN_PROXY: "true" })
      assert.isTrue(allowed.allowOpenProxy)
      // No upstream sends a key of the operator's (the simulator, a local model): nothing to spend.
      yield* loadWith({})
    }))

  it.effect("gateway keys come from the env, comma-separated, over the file's list, and never print", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "gateway-config-"))
      const file = join(dir, "keys.json")
      writeFileSync(file, JSON.stringify({ gatewayKeys: ["from-file"] }))
      const fromFile = yield* loadWith({ STREAMGUARD_CONFIG: file })
      assert.deepStrictEqual(fromFile.gatewayKeys.map(Redacted.value), ["from-file"])
      const fromEnv = yield* loadWith({ STREAMGUARD_CONFIG: file, STREAMGUARD_GATEWAY_KEYS: " k-one, ,k-two " })
      assert.deepStrictEqual(fromEnv.gatewayKeys.map(Redacted.value), ["k-one", "k-two"])
      assert.notInclude(String(fromEnv.gatewayKeys), "k-one")
    }))

  it.effect("a file with two upstreams of one name, or a key it does not know, fails naming the file", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "gateway-config-"))
      const twice = join(dir, "twice.json")
      const upstream = { name: "u", baseUrl: "http://127.0.0.1:1/v1", dialect: "any", models: ["*"] }
      writeFileSync(twice, JSON.stringify({ upstreams: [upstream, upstream] }))
      const duplicate = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_CONFIG: twice })))
      assert.strictEqual(duplicate?.key, `STREAMGUARD_CONFIG (${twice})`)
      assert.include(duplicate?.reason ?? "", "duplicate upstream name u")

      const misspelt = join(dir, "misspelt.json")
      writeFileSync(misspelt, JSON.stringify({ keepAliveInterval: "5s" }))
      const unknown = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_CONFIG: misspelt })))
      assert.include(unknown?.reason ?? "", "keepAliveInterval")
    }))

  it.effect("a bad file names every mistake in one line each: key path, what was given, what is allowed", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "gateway-config-"))
      const file = join(dir, "mistakes.json")
      writeFileSync(
        file,
        JSON.stringify({
          prot: 8080,
          upstreams: [{ name: "openai", baseUrl: "https://api.openai.com/v1", dialect: "openAI", models: ["gpt-*"] }]
        })
      )
      const error = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_CONFIG: file })))
      const lines = error?.message.split("\n") ?? []
      assert.deepStrictEqual(lines, [
        `bad config STREAMGUARD_CONFIG (${file}): prot: is unexpected, expected: ` +
        [
          "port",
          "host",
          "simPort",
          "defaultProfile",
          "maxConcurrentStreams",
          "maxBodyBytes",
          "keepaliveInterval",
          "drainWindow",
          "drainTimeout",
          "headersTimeout",
          "bodyTimeout",
          "gatewayKeys",
          "allowOpenProxy",
          "upstreams",
          "routes",
          "redisUrl",
          "rateLimits",
          "profiles"
        ].map((key) => JSON.stringify(key)).join(" | "),
        `bad config STREAMGUARD_CONFIG (${file}): upstreams[0].dialect: ` +
        `Expected "openai" | "openaiChat" | "openaiResponses" | "anthropic" | "any", actual "openAI"`
      ])
    }))

  it.effect("a STREAMGUARD_* variable no setting reads stops start-up, each named with the nearest valid name", () =>
    Effect.gen(function*() {
      const error = failureOf(
        yield* Effect.exit(loadWith({
          STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT: "5s",
          STREAMGUARD_CHAT_MIN_RATE_TIMEOUT: "5/10s",
          STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s"
        }))
      )
      assert.deepStrictEqual(error?.message.split("\n"), [
        "bad config STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT: not a StreamGuard setting, so it changes nothing; " +
        "did you mean STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT?",
        "bad config STREAMGUARD_CHAT_MIN_RATE_TIMEOUT: not a StreamGuard setting, so it changes nothing; " +
        "did you mean STREAMGUARD_CHAT_MIN_RATE?"
      ])
    }))

  it.effect("every name the gateway reads is known: its settings, a custom profile's keys, an upstream's apiKeyEnv", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "gateway-config-"))
      const file = join(dir, "named.json")
      writeFileSync(
        file,
        JSON.stringify({
          upstreams: [{
            name: "u",
            baseUrl: "http://127.0.0.1:1/v1",
            dialect: "any",
            apiKeyEnv: "STREAMGUARD_UPSTREAM_KEY",
            models: ["*"]
          }],
          profiles: { agent: { base: "research" } }
        })
      )
      const config = yield* loadWith({
        STREAMGUARD_CONFIG: file,
        STREAMGUARD_UPSTREAM_KEY: "sk-test",
        STREAMGUARD_AGENT_FIRST_CHUNK_TIMEOUT: "2m",
        STREAMGUARD_GATEWAY_KEYS: "k",
        STREAMGUARD_DRAIN_TIMEOUT: "5s",
        HOST: "127.0.0.1"
      })
      assert.strictEqual(Duration.toMillis(config.drainTimeout), 5_000)
    }))

  it.effect("a bad profile value in the env is named once, without a repeated prefix", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        GatewayProfiles.GatewayProfiles.pipe(
          Effect.provide(GatewayProfiles.GatewayProfiles.layer),
          Effect.provide(Config.GatewayConfig.make(Config.defaults)),
          Effect.provideService(
            ConfigProvider.ConfigProvider,
            ConfigProvider.fromEnv({ env: { STREAMGUARD_CHAT_CHUNK_TIMEOUT: "-3" } })
          )
        )
      )
      assert.strictEqual(
        failureOf(exit)?.message,
        "bad config STREAMGUARD_CHAT_CHUNK_TIMEOUT: a timeout must be positive; got \"-3\""
      )
    }))

  it.effect("loading nothing gives the same values as Config.defaults, which --help lists", () =>
    Effect.gen(function*() {
      const loaded = yield* loadWith({})
      assert.deepStrictEqual({ ...loaded, upstreamKeys: [...loaded.upstreamKeys] }, {
        ...Config.defaults,
        upstreamKeys: []
      })
      const help = Config.helpText()
      assert.match(help, /STREAMGUARD_KEEPALIVE_INTERVAL +keepaliveInterval +15s /)
      assert.match(help, /STREAMGUARD_MAX_BODY_BYTES +maxBodyBytes +4194304 /)
      assert.include(help, "reasoning, total, minRate")
      assert.match(
        help,
        /STREAMGUARD_<PROFILE>_MIN_RATE +\(none\) +a profile's minRate, e\.g\. STREAMGUARD_CHAT_MIN_RATE=5\/10s/
      )
    }))

  it.effect("a profile's minRate and reasoning come from the file; a bad rate fails naming the file and the field", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "gateway-config-"))
      const good = join(dir, "pace.json")
      writeFileSync(good, JSON.stringify({ profiles: { chat: { minRate: "5/10s", reasoning: "2m" } } }))
      const config = yield* loadWith({ STREAMGUARD_CONFIG: good })
      assert.strictEqual(config.profiles.chat?.minRate?.events, 5)
      assert.strictEqual(Duration.toMillis(config.profiles.chat!.reasoning!), 120_000)

      const bad = join(dir, "crawl.json")
      writeFileSync(bad, JSON.stringify({ profiles: { chat: { minRate: "5 a second" } } }))
      const error = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_CONFIG: bad })))
      assert.include(`${error?.key} ${error?.reason}`, "minRate")
      assert.include(error?.reason ?? "", "\"5/10s\"")
    }))
})
