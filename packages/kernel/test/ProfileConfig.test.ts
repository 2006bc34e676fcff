import { Policy, ProfileConfig, Profiles } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("ProfileConfig", () => {
  it("envKey spells profile and field in upper snake case", () => {
    assert.strictEqual(ProfileConfig.envKey("chat", "firstChunk"), "STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT")
    assert.strictEqual(ProfileConfig.envKey("my-agent.v2", "chunk"), "STREAMGUARD_MY_AGENT_V2_CHUNK_TIMEOUT")
    assert.strictEqual(ProfileConfig.envKey("chat", "reasoning"), "STREAMGUARD_CHAT_REASONING_TIMEOUT")
    assert.strictEqual(ProfileConfig.envKey("chat", "minRate"), "STREAMGUARD_CHAT_MIN_RATE")
    assert.strictEqual(ProfileConfig.envKeys(["chat"]).length, Policy.allFields.length)
  })

  it("readEnv reads the fields set, timeouts and the rate, none included", () => {
    const env: Record<string, string> = {
      STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s",
      STREAMGUARD_CHAT_TOTAL_TIMEOUT: "none",
      STREAMGUARD_CHAT_MIN_RATE: "5/10s",
      STREAMGUARD_RESEARCH_CHUNK_TIMEOUT: "1s"
    }
    assert.deepStrictEqual(ProfileConfig.readEnv("chat", (key) => env[key]), {
      policy: { chunk: 45_000, total: Infinity, minRate: { events: 5, windowMillis: 10_000 } }
    })
    assert.deepStrictEqual(ProfileConfig.readEnv("batch", (key) => env[key]), { policy: {} })
  })

  it("readEnv names the first key, in field order, whose value cannot be used, and why", () => {
    const env: Record<string, string> = {
      STREAMGUARD_CHAT_TOTAL_TIMEOUT: "soon",
      STREAMGUARD_CHAT_CHUNK_TIMEOUT: "0s",
      STREAMGUARD_CHAT_MIN_RATE: "fast"
    }
    assert.deepStrictEqual(ProfileConfig.readEnv("chat", (key) => env[key]), {
      mistake: { key: "STREAMGUARD_CHAT_CHUNK_TIMEOUT", reason: "a timeout must be positive; got \"0s\"" }
    })
  })

  it("knows the built-ins, then the custom profiles; each starts from its base, its own built-in, or nothing", () => {
    assert.deepStrictEqual(ProfileConfig.knownNames(["chat", "agent"]), [...Profiles.builtinNames, "agent"])
    assert.strictEqual(ProfileConfig.baseOf("agent", { base: "research" }), "research")
    assert.strictEqual(ProfileConfig.baseOf("chat", {}), "chat")
    assert.strictEqual(ProfileConfig.baseOf("chat", undefined), "chat")
    assert.isUndefined(ProfileConfig.baseOf("agent", {}))
    assert.isUndefined(ProfileConfig.baseOf("ghost", undefined))
  })

  it("unknownEnvVars judges every name under a known profile's prefix and every slip; leaves other names alone", () => {
    const set = [
      "STREAMGUARD_AGENT_FIRST_TOKEN_TIMEOUT",
      "STREAMGUARD_AGENT_SPEED",
      "STREAMGUARD_AGENT_CHUNK_TIMEOUT",
      "STREAMGUARD_CAHT_CHUNK_TIMEOUT",
      "STREAMGUARD_CONFIG",
      "STREAMGUARD_GATEWAY_KEYS",
      "STREAMGUARD_DRAIN_TIMEOUT"
    ]
    assert.deepStrictEqual(ProfileConfig.unknownEnvVars(set, ProfileConfig.knownNames(["agent"])), [
      { name: "STREAMGUARD_AGENT_FIRST_TOKEN_TIMEOUT", nearest: "STREAMGUARD_AGENT_FIRST_CHUNK_TIMEOUT" },
      { name: "STREAMGUARD_AGENT_SPEED", nearest: undefined },
      { name: "STREAMGUARD_CAHT_CHUNK_TIMEOUT", nearest: "STREAMGUARD_CHAT_CHUNK_TIMEOUT" }
    ])
  })
})
