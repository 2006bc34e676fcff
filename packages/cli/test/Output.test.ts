import { assert, describe, it } from "@effect/vitest"
import { Output } from "@streamguard/cli"
import { Effect } from "effect"
import { runCli } from "./support/runCli.js"

describe("the command's output", () => {
  it.effect("has colour on a colour terminal, and none with --no-color", () =>
    Effect.gen(function*() {
      const coloured = yield* runCli(["check-config"], {}, { color: true, tty: true })
      assert.include(coloured.stdout, "\x1b[1mchat")
      const plain = yield* runCli(["check-config", "--no-color"], {}, { color: true, tty: true })
      assert.notInclude(plain.stdout, "\x1b[")
      assert.include(plain.stdout, "chat")
    }))

  it("on a terminal, lines go above the status line, which is redrawn below them", () => {
    let written = ""
    const output = Output.make({ stdout: (t) => (written += t), stderr: () => {}, tty: true, color: false })
    Effect.runSync(output.status("1/2 runs done"))
    Effect.runSync(output.line("run 2 +5ms     headers"))
    assert.strictEqual(written, "\r\x1b[2K1/2 runs done\r\x1b[2Krun 2 +5ms     headers\n1/2 runs done")
  })

  it("piped, there is no status line: only the lines", () => {
    let written = ""
    const output = Output.make({ stdout: (t) => (written += t), stderr: () => {}, tty: false, color: false })
    Effect.runSync(output.status("1/2 runs done"))
    Effect.runSync(output.line("run 2 +5ms     headers"))
    assert.strictEqual(written, "run 2 +5ms     headers\n")
  })
})
