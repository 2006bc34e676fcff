import { assert, describe, it } from "@effect/vitest"
import { ParseIssues } from "@streamguard/core"
import { Result, Schema } from "effect"

const Upstream = Schema.Struct({
  name: Schema.String,
  dialect: Schema.Literals(["openai", "anthropic", "any"]),
  port: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 })))
})
const File = Schema.Struct({
  upstreams: Schema.optional(Schema.Array(Upstream)),
  "log level": Schema.optional(Schema.Int)
})

const linesOf = (input: unknown): Array<string> => {
  const decoded = Schema.decodeUnknownResult(File)(input, { onExcessProperty: "error", errors: "all" })
  return Result.isFailure(decoded) ? ParseIssues.lines(decoded.failure) : assert.fail("decoded")
}

// Effect 4 leaves the input out of its issues unless a decode asks for it (`reportInput`), so a
// value that may be a secret stays out of the lines.
describe("ParseIssues", () => {
  it("a literal union is one line with every allowed value, and no schema signature", () => {
    assert.deepStrictEqual(linesOf({ upstreams: [{ name: "a", dialect: "openAI" }] }), [
      "upstreams[0].dialect: Expected \"openai\" | \"anthropic\" | \"any\""
    ])
  })

  it("a check on an optional field is reported as the check", () => {
    assert.deepStrictEqual(linesOf({ upstreams: [{ name: "a", dialect: "any", port: 70000 }] }), [
      "upstreams[0].port: Expected a value between 0 and 65535"
    ])
  })

  it("one line per mistake, each with its key path: unknown, missing, wrong", () => {
    assert.deepStrictEqual(linesOf({ upstreams: [{ dialect: "x", prt: 1 }], "log level": "high" }), [
      "upstreams[0].prt: Expected no excess property",
      "upstreams[0].name: Missing key",
      "upstreams[0].dialect: Expected \"openai\" | \"anthropic\" | \"any\"",
      "[\"log level\"]: Expected number | undefined"
    ])
  })

  it("formats key paths as config files are read", () => {
    assert.strictEqual(ParseIssues.formatPath(["profiles", "chat", "chunk"]), "profiles.chat.chunk")
    assert.strictEqual(ParseIssues.formatPath(["routes", 2, "upstreams", 0]), "routes[2].upstreams[0]")
    assert.strictEqual(ParseIssues.formatPath([]), "")
  })
})
