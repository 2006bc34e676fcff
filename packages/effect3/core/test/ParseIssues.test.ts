import { assert, describe, it } from "@effect/vitest"
import { ParseIssues } from "@streamguard/core-effect3"
import { Either, Schema } from "effect"

const Upstream = Schema.Struct({
  name: Schema.String,
  dialect: Schema.Literal("openai", "anthropic", "any"),
  port: Schema.optional(Schema.Int.pipe(Schema.between(0, 65535)))
})
const File = Schema.Struct({
  upstreams: Schema.optional(Schema.Array(Upstream)),
  "log level": Schema.optional(Schema.Int)
})

const linesOf = (input: unknown): Array<string> => {
  const decoded = Schema.decodeUnknownEither(File, { onExcessProperty: "error", errors: "all" })(input)
  return Either.isLeft(decoded) ? ParseIssues.lines(decoded.left) : assert.fail("decoded")
}

describe("ParseIssues", () => {
  it("a literal union is one line with every allowed value, and no schema signature", () => {
    assert.deepStrictEqual(linesOf({ upstreams: [{ name: "a", dialect: "openAI" }] }), [
      "upstreams[0].dialect: Expected \"openai\" | \"anthropic\" | \"any\", actual \"openAI\""
    ])
  })

  it("an optional field's `| undefined` alternative is not reported beside the real mistake", () => {
    assert.deepStrictEqual(linesOf({ upstreams: [{ name: "a", dialect: "any", port: 70000 }] }), [
      "upstreams[0].port: Expected a number between 0 and 65535, actual 70000"
    ])
  })

  it("one line per mistake, each with its key path: unknown, missing, wrong", () => {
    assert.deepStrictEqual(linesOf({ upstreams: [{ dialect: "x", prt: 1 }], "log level": "high" }), [
      "upstreams[0].prt: is unexpected, expected: \"name\" | \"dialect\" | \"port\"",
      "upstreams[0].name: is missing",
      "upstreams[0].dialect: Expected \"openai\" | \"anthropic\" | \"any\", actual \"x\"",
      "[\"log level\"]: Expected number, actual \"high\""
    ])
  })

  it("formats key paths as config files are read", () => {
    assert.strictEqual(ParseIssues.formatPath(["profiles", "chat", "chunk"]), "profiles.chat.chunk")
    assert.strictEqual(ParseIssues.formatPath(["routes", 2, "upstreams", 0]), "routes[2].upstreams[0]")
    assert.strictEqual(ParseIssues.formatPath([]), "")
  })
})
