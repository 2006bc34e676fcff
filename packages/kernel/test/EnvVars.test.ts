import { EnvVars, ProfileConfig, Profiles } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("EnvVars", () => {
  it("lists the STREAMGUARD_* names once each, sorted, and tells which segments may lead to one", () => {
    assert.deepStrictEqual(
      EnvVars.namesOf([
        "STREAMGUARD_CONFIG",
        "PATH",
        "STREAMGUARDS",
        "STREAMGUARD_CHAT_CHUNK_TIMEOUT",
        "STREAMGUARD_CONFIG"
      ]),
      ["STREAMGUARD_CHAT_CHUNK_TIMEOUT", "STREAMGUARD_CONFIG"]
    )
    assert.isTrue(EnvVars.mayHoldNames("STREAMGUARD"))
    assert.isTrue(EnvVars.mayHoldNames("STREAMGUARD_CHAT_CHUNK_TIMEOUT"))
    assert.isFalse(EnvVars.mayHoldNames("STREAMGUARDS"))
    assert.isFalse(EnvVars.mayHoldNames("PATH"))
  })

  it("suggests the valid name a slip came from, and nothing when no name is close", () => {
    const known = ProfileConfig.envKeys(Profiles.builtinNames)
    const near = (name: string) => EnvVars.nearest(name, known)
    assert.strictEqual(near("STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT"), "STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT")
    assert.strictEqual(near("STREAMGUARD_CHAT_MIN_RATE_TIMEOUT"), "STREAMGUARD_CHAT_MIN_RATE")
    assert.strictEqual(near("STREAMGUARD_CAHT_CHUNK_TIMEOUT"), "STREAMGUARD_CHAT_CHUNK_TIMEOUT")
    assert.strictEqual(near("STREAMGUARD_CHAT_CHUNK_TIMOUT"), "STREAMGUARD_CHAT_CHUNK_TIMEOUT")
    assert.strictEqual(near("STREAMGUARD_RESEARCH_REASONNING_TIMEOUT"), "STREAMGUARD_RESEARCH_REASONING_TIMEOUT")
    assert.isUndefined(near("STREAMGUARD_GATEWAY_KEYS"))
    assert.isUndefined(near("STREAMGUARD_REDIS_URL"))
  })

  it("unknown names the names set that are not known, as the judge narrows them", () => {
    const set = ["STREAMGUARD_A", "STREAMGUARD_B", "STREAMGUARD_C"]
    assert.deepStrictEqual(EnvVars.unknown(set, ["STREAMGUARD_B"]), [
      { name: "STREAMGUARD_A", nearest: "STREAMGUARD_B" },
      { name: "STREAMGUARD_C", nearest: "STREAMGUARD_B" }
    ])
    assert.deepStrictEqual(EnvVars.unknown(set, ["STREAMGUARD_B"], (name) => name.endsWith("C")), [
      { name: "STREAMGUARD_C", nearest: "STREAMGUARD_B" }
    ])
  })
})
