import * as ScenarioSpec from "@streamguard/kernel/simulator/ScenarioSpec"
import * as SimulatorCli from "@streamguard/kernel/simulator/SimulatorCli"
import * as SimulatorServer from "@streamguard/kernel/simulator/SimulatorServer"
import { assert, describe, it } from "vitest"

const usage = "usage: sim [--port 8787] [--host 127.0.0.1]"

describe("SimulatorCli", () => {
  it("reads --port/-p and --host, with 8787 on 127.0.0.1 by default, and --help/-h", () => {
    assert.deepStrictEqual(SimulatorCli.parse([]), { _tag: "Run", flags: { port: 8787, host: "127.0.0.1" } })
    assert.deepStrictEqual(SimulatorCli.parse(["--port", "0", "--host", "::1"]), {
      _tag: "Run",
      flags: { port: 0, host: "::1" }
    })
    assert.deepStrictEqual(SimulatorCli.parse(["-p", "65535"]), {
      _tag: "Run",
      flags: { port: 65535, host: "127.0.0.1" }
    })
    assert.deepStrictEqual(SimulatorCli.parse(["--port", "1", "-h"]), { _tag: "Help" })
    assert.strictEqual(SimulatorCli.usage, usage)
  })

  it("answers a port that is not one, an unknown flag or an argument with the reason and the usage", () => {
    for (const port of ["65536", "-1", "abc", "", "0x50", "1e3", " 80", "80.5"]) {
      assert.deepStrictEqual(SimulatorCli.parse([`--port=${port}`]), {
        _tag: "Invalid",
        message: `--port must be a port number, got ${port}\n${usage}`
      })
    }
    // Node words these (its wording varies by version); the program adds its usage.
    for (const [args, named] of [[["--nope"], "'--nope'"], [["serve"], "'serve'"]] as const) {
      const parsed = SimulatorCli.parse(args)
      assert.strictEqual(parsed._tag, "Invalid")
      const message = parsed._tag === "Invalid" ? parsed.message : ""
      assert.include(message, named)
      assert.isTrue(message.endsWith(`\n${usage}`))
    }
  })

  it("says which address it cannot listen on and Node's reason", () => {
    const cause = new Error("listen EADDRINUSE: address already in use 127.0.0.1:8787")
    assert.strictEqual(
      SimulatorCli.cannotListen({ host: "127.0.0.1", port: 8787 }, cause),
      "cannot listen on 127.0.0.1:8787: listen EADDRINUSE: address already in use 127.0.0.1:8787"
    )
    assert.strictEqual(SimulatorCli.cannotListen({ host: "h", port: 1 }, "gone"), "cannot listen on h:1: gone")
  })

  it("prints every route, every scenario and the example to try", () => {
    const url = "http://127.0.0.1:8787"
    const text = SimulatorCli.banner(url)
    assert.isTrue(text.startsWith(`StreamGuard upstream simulator on ${url}\n`))
    for (
      const route of ["/v1/chat/completions", "/v1/responses", "/v1/messages", "/api/chat", "/mcp", "/_sim/requests"]
    ) {
      assert.include(text, `${url}${route}`)
    }
    assert.include(text, ScenarioSpec.names.join(", "))
    assert.isTrue(text.endsWith(`Try:\n${SimulatorCli.curlExample(url)}`))
    assert.isTrue(SimulatorCli.banner(url, "  other").endsWith("Try:\n  other"))
  })

  it("runs: help is 0, a bad flag 1 on stderr, a port in use 1 with the listen error", async () => {
    const out: Array<string> = []
    const err: Array<string> = []
    const io = {
      out: (text: string) => out.push(text),
      err: (text: string) => err.push(text),
      stopped: new Promise<void>(() => {})
    }
    assert.strictEqual(await SimulatorCli.run(["--help"], io), 0)
    assert.strictEqual(await SimulatorCli.run(["--port", "x"], io), 1)
    const taken = await SimulatorServer.start()
    try {
      assert.strictEqual(await SimulatorCli.run(["--port", String(taken.port)], io), 1)
    } finally {
      await taken.close()
    }
    assert.deepStrictEqual(out, [usage])
    assert.deepStrictEqual(err, [
      `--port must be a port number, got x\n${usage}`,
      `cannot listen on 127.0.0.1:${taken.port}: listen EADDRINUSE: address already in use 127.0.0.1:${taken.port}`
    ])
  })

  it("serves on the port its banner names until stopped, then closes and answers 130", async () => {
    let stop = () => {}
    const stopped = new Promise<void>((resolve) => (stop = resolve))
    let printed = (_text: string) => {}
    const banner = new Promise<string>((resolve) => (printed = resolve))
    const exit = SimulatorCli.run(["--port", "0"], { out: (text) => printed(text), err: assert.fail, stopped })
    const url = /simulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(await banner)?.[1]
    assert.isDefined(url)
    assert.strictEqual((await fetch(`${url}/_sim/requests`)).status, 200)
    stop()
    assert.strictEqual(await exit, 130)
    assert.isTrue(await fetch(`${url}/_sim/requests`).then(() => false, () => true))
  })
})
