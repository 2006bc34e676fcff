import * as Slots from "@streamguard/kernel/client/Slots"
import { assert, describe, it } from "vitest"

describe("Slots", () => {
  it("hands free slots at once, then each given-back slot to the next waiter in order, each release once", () => {
    const slots = new Slots.Slots(1)
    const got: Array<string> = []
    const releases: Array<() => void> = []
    const take = (name: string) =>
      slots.take((release) => {
        got.push(name)
        releases.push(release)
      })
    assert.isUndefined(take("a"))
    const cancelB = take("b")
    take("c")
    assert.deepStrictEqual(got, ["a"])
    cancelB!()
    releases[0]!()
    releases[0]!()
    assert.deepStrictEqual(got, ["a", "c"])
    releases[1]!()
    assert.isUndefined(take("d"))
    assert.deepStrictEqual(got, ["a", "c", "d"])
  })

  it("one set per origin of a request's URL, made on first use; none without a limit", () => {
    const of = Slots.byOrigin(2)
    assert.strictEqual(of("http://a"), of("http://a"))
    assert.strictEqual(of("http://a/v1/chat"), of("http://a/v1/embed?x=1"))
    assert.notStrictEqual(of("http://a"), of("http://b"))
    assert.notStrictEqual(of("http://a"), of("https://a"))
    assert.isUndefined(Slots.byOrigin(undefined)("http://a"))
    assert.strictEqual(Slots.originOf("https://api.example.com:8443/v1/chat?x=1"), "https://api.example.com:8443")
    assert.strictEqual(Slots.originOf("not a url"), "not a url")
  })
})
