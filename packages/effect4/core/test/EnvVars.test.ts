import { assert, describe, it } from "@effect/vitest"
import { EnvVars, ProfileConfig, Profiles } from "@streamguard/core"
import { ConfigProvider, Effect, Option } from "effect"

/** A provider that keeps each name whole. */
const withEnv = (entries: Record<string, string>) =>
  Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown(entries))

/** A provider that splits names at `_`, as the default one reads `process.env`. */
const withSplitEnv = (entries: Record<string, string>) =>
  Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: entries }))

describe("EnvVars", () => {
  it.effect("lists the STREAMGUARD_* names set, and only those", () =>
    Effect.gen(function*() {
      const env = {
        STREAMGUARD_CHAT_CHUNK_TIMEOUT: "5s",
        STREAMGUARD_CONFIG: "/x.json",
        PATH: "/bin",
        STREAMGUARDS: "x"
      }
      assert.deepStrictEqual(yield* EnvVars.names.pipe(withEnv(env)), [
        "STREAMGUARD_CHAT_CHUNK_TIMEOUT",
        "STREAMGUARD_CONFIG"
      ])
      assert.deepStrictEqual(yield* EnvVars.names.pipe(withSplitEnv(env)), [
        "STREAMGUARD_CHAT_CHUNK_TIMEOUT",
        "STREAMGUARD_CONFIG"
      ])
    }))

  it("suggests the valid name a slip came from, and nothing when no name is close", () => {
    const known = ProfileConfig.envKeys(Profiles.builtinNames)
    const near = (name: string) => Option.getOrUndefined(EnvVars.nearest(name, known))
    assert.strictEqual(near("STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT"), "STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT")
    assert.strictEqual(near("STREAMGUARD_CHAT_MIN_RATE_TIMEOUT"), "STREAMGUARD_CHAT_MIN_RATE")
    assert.strictEqual(near("STREAMGUARD_CAHT_CHUNK_TIMEOUT"), "STREAMGUARD_CHAT_CHUNK_TIMEOUT")
    assert.strictEqual(near("STREAMGUARD_CHAT_CHUNK_TIMOUT"), "STREAMGUARD_CHAT_CHUNK_TIMEOUT")
    assert.strictEqual(near("STREAMGUARD_RESEARCH_REASONNING_TIMEOUT"), "STREAMGUARD_RESEARCH_REASONING_TIMEOUT")
    assert.strictEqual(near("STREAMGUARD_GATEWAY_KEYS"), undefined)
    assert.strictEqual(near("STREAMGUARD_REDIS_URL"), undefined)
  })
})

describe("ProfileConfig.unknownEnvVars", () => {
  it.effect("names a misspelt profile variable with its nearest key; a valid one is not named", () =>
    Effect.gen(function*() {
      const unknown = yield* ProfileConfig.unknownEnvVars({}).pipe(withEnv({
        STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT: "5s",
        STREAMGUARD_CHAT_MIN_RATE_TIMEOUT: "5/10s",
        STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s",
        STREAMGUARD_CONFIG: "/etc/sg.json"
      }))
      assert.deepStrictEqual(unknown.map((error) => error.message), [
        "STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT is not a StreamGuard setting, so it changes nothing; " +
        "did you mean STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT?",
        "STREAMGUARD_CHAT_MIN_RATE_TIMEOUT is not a StreamGuard setting, so it changes nothing; " +
        "did you mean STREAMGUARD_CHAT_MIN_RATE?"
      ])
    }))

  it.effect("judges every name under a known profile's prefix, a custom one's included; leaves other programs' names alone", () =>
    Effect.gen(function*() {
      const unknown = yield* ProfileConfig.unknownEnvVars({ agent: { base: "research" } }).pipe(withEnv({
        STREAMGUARD_AGENT_FIRST_TOKEN_TIMEOUT: "5s",
        STREAMGUARD_AGENT_SPEED: "fast",
        STREAMGUARD_AGENT_CHUNK_TIMEOUT: "5s",
        STREAMGUARD_GATEWAY_KEYS: "k",
        STREAMGUARD_DRAIN_TIMEOUT: "10s"
      }))
      assert.deepStrictEqual(unknown.map((error) => [error.name, error.nearest]), [
        ["STREAMGUARD_AGENT_FIRST_TOKEN_TIMEOUT", "STREAMGUARD_AGENT_FIRST_CHUNK_TIMEOUT"],
        // Judged for its prefix, though no key is close enough to suggest.
        ["STREAMGUARD_AGENT_SPEED", undefined]
      ])
    }))
})
