import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Config } from "@streamguard/gateway"
import { ConfigProvider, Duration, Effect, Exit, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const loadWith = (env: Record<string, string>) =>
  Config.load.pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(NodeFileSystem.layer)
  )

const failureOf = <A>(exit: Exit.Exit<A, Config.ConfigLoadError>) => {
  assert.isTrue(Exit.isFailure(exit))
  return Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
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
      const config = yield* loadWith({ STREAMGUARD_CONFIG: good, OPENAI_API_KEY: "sk-test" })
      assert.isFalse(config.simulated)
      assert.strictEqual(Redacted.value(config.upstreamKeys.get("openai")!), "sk-test")
      assert.notInclude(String(config.upstreamKeys.get("openai")), "sk-test")
      assert.strictEqual(Duration.toMillis(config.keepaliveInterval), 5_000)

      const missingKey = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_CONFIG: good })))
      assert.strictEqual(missingKey?.key, "OPENAI_API_KEY")

      const bad = join(dir, "bad.json")
      writeFileSync(
        bad,
        JSON.stringify({ upstreams: [{ name: "x", baseUrl: "nope", dialect: "openai", models: ["*"] }] })
      )
      const badField = failureOf(yield* Effect.exit(loadWith({ STREAMGUARD_CONFIG: bad })))
      assert.include(badField?.reason ?? "", "baseUrl")
    }))
})
