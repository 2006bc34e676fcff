import { Policy, Profiles } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("Profiles", () => {
  it("the built-ins, in millis: chat bounds the whole stream, research and mcp only its silences", () => {
    assert.deepStrictEqual(Profiles.builtins.chat, {
      connect: 10_000,
      write: 10_000,
      chunk: 30_000,
      total: 120_000,
      request: 60_000
    })
    for (const name of ["research", "mcp"] as const) {
      assert.strictEqual(Policy.limit(Profiles.builtins[name], "progress"), 600_000)
      assert.isUndefined(Policy.limit(Profiles.builtins[name], "total"))
    }
    assert.deepStrictEqual(Object.keys(Profiles.builtins), [...Profiles.builtinNames])
  })

  it("no built-in profile sets minRate or reasoning: both are off by default", () => {
    for (const name of Profiles.builtinNames) {
      assert.isUndefined(Policy.minRate(Profiles.builtins[name]), name)
      assert.isUndefined(Policy.limit(Profiles.builtins[name], "reasoning"), name)
    }
  })

  it("isBuiltin knows the built-in names and nothing else", () => {
    for (const name of Profiles.builtinNames) assert.isTrue(Profiles.isBuiltin(name))
    for (const name of ["agent", "toString", "constructor", ""]) assert.isFalse(Profiles.isBuiltin(name))
  })
})
