import * as Headers from "@streamguard/kernel/client/Headers"
import { assert, describe, it } from "vitest"

describe("Headers", () => {
  it("lower-case names, repeated values joined, from the raw list or parsed", () => {
    const raw = ["Content-Type", "text/plain", "X-Multi", "1", "x-multi", "2"].map((text) => Buffer.from(text))
    assert.deepStrictEqual(Headers.fromRaw(raw), { "content-type": "text/plain", "x-multi": "1, 2" })
    assert.deepStrictEqual(
      Headers.fromParsed({ "Content-Type": "text/plain", "x-multi": ["1", "2"], gone: undefined }),
      {
        "content-type": "text/plain",
        "x-multi": "1, 2"
      }
    )
  })
})
