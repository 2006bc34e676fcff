import { Messages, StreamOutcome, Timeouts } from "@streamguard/kernel"
import { assert, describe, it } from "vitest"

const details: Timeouts.TimeoutDetails = {
  limitMillis: 30_000,
  elapsedMillis: 45_000,
  chunks: 12,
  sinceLastEventMillis: 30_000,
  lastEvent: "keepalive"
}

describe("Messages", () => {
  it("spells key paths as config files are read, and a file that is no JSON", () => {
    assert.strictEqual(Messages.keyPath(["profiles", "chat", "chunk"]), "profiles.chat.chunk")
    assert.strictEqual(Messages.keyPath(["routes", 2, "upstreams", 0]), "routes[2].upstreams[0]")
    assert.strictEqual(Messages.keyPath(["log level"]), "[\"log level\"]")
    assert.strictEqual(Messages.keyPath([]), "")
    assert.strictEqual(Messages.invalidJson(new SyntaxError("Unexpected token")), "invalid JSON: Unexpected token")
  })

  it("a timeout says what expired, its limit, and how far the request had got", () => {
    assert.strictEqual(
      Messages.timeout("chunk", details),
      "stream went silent: no event for 30000 ms (limit 30000 ms; 45000 ms into the request, 12 chunks, " +
        "last event keepalive 30000 ms ago)"
    )
    assert.strictEqual(
      Messages.timeout("firstChunk", { ...details, chunks: 0, lastEvent: "none" }),
      "no first content chunk in time (limit 30000 ms; 45000 ms into the request, 0 chunks, last event none)"
    )
  })

  it("a shared budget's timeout says the attempt's share of it, when it had one", () => {
    assert.strictEqual(
      Messages.timeout("total", { ...details, limitMillis: 120_000, attemptLimitMillis: 20_000, lastEvent: "chunk" }),
      "stream exceeded its total time budget (limit 120000 ms, 20000 ms of it this attempt's; 45000 ms into the " +
        "request, 12 chunks, last event chunk 30000 ms ago)"
    )
    assert.notInclude(Messages.timeout("request", details), "this attempt's")
  })

  it("every timeout has its own words, tag and outcome, the outcome a known one", () => {
    const leads = new Set(Timeouts.kinds.map((kind) => Messages.timeout(kind, details).split(" (")[0]))
    assert.strictEqual(leads.size, Timeouts.kinds.length)
    for (const kind of Timeouts.kinds) {
      assert.isTrue(StreamOutcome.isStreamOutcome(Timeouts.outcomes[kind]), kind)
      assert.match(Timeouts.tags[kind], /Timeout$/)
    }
  })

  it("the guard's other failures", () => {
    assert.strictEqual(
      Messages.slowStream({ ...details, limitMillis: 10_000, minEvents: 5, windowEvents: 4, lastEvent: "chunk" }),
      "stream too slow: 4 content events in a window, at least 5 wanted (limit 10000 ms; 45000 ms into the " +
        "request, 12 chunks, last event chunk 30000 ms ago)"
    )
    assert.strictEqual(
      Messages.upstreamErrorSignal({ errorType: "overloaded_error", providerMessage: "Overloaded" }),
      "upstream reported an error (overloaded_error): Overloaded"
    )
    assert.strictEqual(
      Messages.unexpectedEnd({ chunks: 3 }),
      "upstream ended the stream without its done signal after 3 chunks"
    )
    assert.strictEqual(
      Messages.streamAborted({ chunks: 2, reason: "the gateway is shutting down" }),
      "stream aborted after 2 chunks: the gateway is shutting down"
    )
  })

  it("an abort's reason in words: an error's message, the reason itself, or aborted", () => {
    assert.strictEqual(Messages.abortReason(new Error("shutting down")), "shutting down")
    assert.strictEqual(Messages.abortReason("client left"), "client left")
    assert.strictEqual(Messages.abortReason(undefined), "aborted")
  })

  it("configuration mistakes, one line each, naming the key and the file", () => {
    assert.strictEqual(
      Messages.unknownEnvVar({
        name: "STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT",
        nearest: "STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT"
      }),
      "STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT is not a StreamGuard setting, so it changes nothing; " +
        "did you mean STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT?"
    )
    assert.strictEqual(
      Messages.unknownEnvVarReason(undefined),
      "not a StreamGuard setting, so it changes nothing"
    )
    assert.strictEqual(
      Messages.invalidConfig(
        [{ key: "profiles.chat.chunk", reason: "a" }, { key: "profiles.mcp.total", reason: "b" }],
        "/etc/sg.json"
      ),
      "bad config profiles.chat.chunk (/etc/sg.json): a\nbad config profiles.mcp.total (/etc/sg.json): b"
    )
    assert.strictEqual(
      Messages.invalidConfig([{ key: "STREAMGUARD_CHAT_CHUNK_TIMEOUT", reason: "a" }], undefined),
      "bad config STREAMGUARD_CHAT_CHUNK_TIMEOUT: a"
    )
    assert.strictEqual(
      Messages.unknownProfile({ name: "ghost", known: ["research", "chat"] }),
      "unknown request profile \"ghost\"; known profiles: research, chat"
    )
  })
})
