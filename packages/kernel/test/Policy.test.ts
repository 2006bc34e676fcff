import { Policy, Rate } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

describe("Policy", () => {
  it("merge: a field set in the override wins, an absent one keeps the base, none clears it", () => {
    const base: Policy.Policy = {
      connect: 10_000,
      chunk: 30_000,
      total: 120_000,
      minRate: { events: 5, windowMillis: 10_000 }
    }
    const merged = Policy.merge(base, { chunk: 45_000, total: Infinity, minRate: Rate.none })
    assert.deepStrictEqual(merged, { connect: 10_000, chunk: 45_000, total: Infinity, minRate: Rate.none })
    assert.strictEqual(Policy.limit(merged, "chunk"), 45_000)
    assert.isUndefined(Policy.limit(merged, "total"))
    assert.isUndefined(Policy.limit(merged, "progress"))
    assert.isUndefined(Policy.minRate(merged))
    assert.deepStrictEqual(Policy.minRate(base), { events: 5, windowMillis: 10_000 })
  })

  it("merge keeps the fields in the order of a request's life, whatever the order they were given in", () => {
    const merged = Policy.merge({ total: 1, connect: 2 }, { chunk: 3 })
    assert.deepStrictEqual(Object.keys(merged), ["connect", "chunk", "total"])
  })

  it("without: the named limits are gone, the others kept, and a later merge sets one again", () => {
    const base: Policy.Policy = {
      chunk: 30_000,
      progress: 600_000,
      total: 3_600_000,
      minRate: { events: 5, windowMillis: 10_000 }
    }
    const lifted = Policy.without(base, ["progress", "total", "minRate"])
    assert.strictEqual(Policy.limit(lifted, "chunk"), 30_000)
    assert.isUndefined(Policy.limit(lifted, "progress"))
    assert.isUndefined(Policy.limit(lifted, "total"))
    assert.isUndefined(Policy.minRate(lifted))
    assert.strictEqual(Policy.limit(Policy.merge(lifted, { total: 300_000 }), "total"), 300_000)
  })

  it("allFields lists every field, the durations then minRate", () => {
    assert.deepStrictEqual(Policy.allFields, [...Policy.fields, "minRate"])
  })
})
