import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ProfileConfig, Profiles, RequestProfile, TimeoutPolicy } from "@streamguard/core"
import { ConfigProvider, Duration, Effect, FileSystem, Option, Result } from "effect"

/** A provider that keeps each name whole. */
const withEnv = (entries: Record<string, string>) =>
  Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown(entries))

/** A file system that holds exactly one file, for decoding tests without touching the disk. */
const oneFile = (path: string, content: string) =>
  FileSystem.layerNoop({
    readFileString: (at: string) => at === path ? Effect.succeed(content) : FileSystem.makeNoop({}).readFileString(at)
  })

const millis = (policy: TimeoutPolicy.TimeoutPolicy, field: TimeoutPolicy.Field) =>
  Option.getOrUndefined(Option.map(TimeoutPolicy.limit(policy, field), Duration.toMillis))

const policyOf = (name: string) =>
  Effect.map(Effect.provide(RequestProfile.RequestProfile, ProfileConfig.layer(name)), (profile) => profile.policy)

describe("Profiles", () => {
  it("envKey spells profile and field in upper snake case", () => {
    assert.strictEqual(ProfileConfig.envKey("chat", "firstChunk"), "STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT")
    assert.strictEqual(ProfileConfig.envKey("my-agent.v2", "chunk"), "STREAMGUARD_MY_AGENT_V2_CHUNK_TIMEOUT")
    assert.strictEqual(ProfileConfig.envKey("chat", "reasoning"), "STREAMGUARD_CHAT_REASONING_TIMEOUT")
    assert.strictEqual(ProfileConfig.envKey("chat", "minRate"), "STREAMGUARD_CHAT_MIN_RATE")
  })

  it("no built-in profile sets minRate or reasoning: both are off by default", () => {
    for (const name of Profiles.builtinNames) {
      const policy = Profiles.builtins[name]
      assert.isTrue(Option.isNone(TimeoutPolicy.minRate(policy)), name)
      assert.strictEqual(millis(policy, "reasoning"), undefined, name)
    }
  })

  describe("minRate and reasoning from config", () => {
    const rateOf = (policy: TimeoutPolicy.TimeoutPolicy) =>
      Option.getOrUndefined(
        Option.map(TimeoutPolicy.minRate(policy), (rate) => `${rate.events}/${Duration.toMillis(rate.per)}`)
      )

    it.effect("env keys set them, the file too, and env beats the file", () =>
      Effect.gen(function*() {
        const fromEnv = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CHAT_MIN_RATE: "5/10s", STREAMGUARD_CHAT_REASONING_TIMEOUT: "2m" }),
          Effect.provide(FileSystem.layerNoop({}))
        )
        assert.strictEqual(rateOf(fromEnv), "5/10000")
        assert.strictEqual(millis(fromEnv, "reasoning"), 120_000)
        const file = JSON.stringify({ profiles: { agent: { base: "research", minRate: "2/30s", reasoning: "5m" } } })
        const fromFile = yield* policyOf("agent").pipe(
          withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json" }),
          Effect.provide(oneFile("/etc/sg.json", file))
        )
        assert.strictEqual(rateOf(fromFile), "2/30000")
        assert.strictEqual(millis(fromFile, "reasoning"), 300_000)
        const both = yield* policyOf("agent").pipe(
          withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json", STREAMGUARD_AGENT_MIN_RATE: "none" }),
          Effect.provide(oneFile("/etc/sg.json", file))
        )
        assert.strictEqual(rateOf(both), undefined)
      }))

    it.effect("a bad rate fails naming its env key or its path in the file", () =>
      Effect.gen(function*() {
        const env = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CHAT_MIN_RATE: "5 a second" }),
          Effect.provide(FileSystem.layerNoop({})),
          Effect.flip
        )
        assert.strictEqual(env._tag, "InvalidProfileConfig")
        assert.include(env.message, "STREAMGUARD_CHAT_MIN_RATE")
        assert.include(env.message, "\"5/10s\"")
        const reasoning = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CHAT_REASONING_TIMEOUT: "0s" }),
          Effect.provide(FileSystem.layerNoop({})),
          Effect.flip
        )
        assert.include(reasoning.message, "STREAMGUARD_CHAT_REASONING_TIMEOUT")
        const file = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json" }),
          Effect.provide(oneFile("/etc/sg.json", JSON.stringify({ profiles: { chat: { minRate: "0/10s" } } }))),
          Effect.flip
        )
        assert.include(file.message, "profiles.chat.minRate")
        assert.include(file.message, "at least 1 event")
      }))

    it.effect("the per-call override sets and clears them", () =>
      Effect.gen(function*() {
        const policies = yield* Effect.gen(function*() {
          const set = yield* RequestProfile.policy.pipe(
            RequestProfile.withPolicy({ minRate: TimeoutPolicy.rate(3, "5 seconds"), reasoning: Duration.minutes(1) })
          )
          const cleared = yield* RequestProfile.policy.pipe(
            RequestProfile.withPolicy({ minRate: TimeoutPolicy.noMinRate, reasoning: Duration.infinity })
          )
          return { set, cleared }
        }).pipe(Effect.provide(RequestProfile.layer("chat", TimeoutPolicy.unsafeMake({ minRate: "5/10s" }))))
        assert.strictEqual(rateOf(policies.set), "3/5000")
        assert.strictEqual(millis(policies.set, "reasoning"), 60_000)
        assert.strictEqual(rateOf(policies.cleared), undefined)
        assert.strictEqual(millis(policies.cleared, "reasoning"), undefined)
      }))
  })

  it.effect("fromConfig with no config gives the built-in policy", () =>
    Effect.gen(function*() {
      const policy = yield* policyOf("chat").pipe(withEnv({}), Effect.provide(FileSystem.layerNoop({})))
      assert.strictEqual(millis(policy, "chunk"), 30_000)
      assert.strictEqual(millis(policy, "total"), 120_000)
      assert.strictEqual(millis(policy, "connect"), 10_000)
    }))

  it.effect("env keys override the built-in, and none clears a limit", () =>
    Effect.gen(function*() {
      const policy = yield* policyOf("chat").pipe(
        withEnv({
          STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s",
          STREAMGUARD_CHAT_TOTAL_TIMEOUT: "none",
          STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT: "2m",
          STREAMGUARD_CHAT_PROGRESS_TIMEOUT: "1500 millis",
          STREAMGUARD_CHAT_HEADERS_TIMEOUT: "2500",
          // Another profile's key does not leak into chat.
          STREAMGUARD_RESEARCH_CHUNK_TIMEOUT: "5s"
        }),
        Effect.provide(FileSystem.layerNoop({}))
      )
      assert.strictEqual(millis(policy, "chunk"), 45_000)
      assert.strictEqual(millis(policy, "total"), undefined)
      assert.strictEqual(millis(policy, "firstChunk"), 120_000)
      assert.strictEqual(millis(policy, "progress"), 1_500)
      assert.strictEqual(millis(policy, "headers"), 2_500)
      assert.strictEqual(millis(policy, "connect"), 10_000)
    }))

  it.effect("a bad env value fails start-up naming the key and the reason", () =>
    Effect.gen(function*() {
      const error = yield* policyOf("chat").pipe(
        withEnv({ STREAMGUARD_CHAT_CHUNK_TIMEOUT: "soon" }),
        Effect.provide(FileSystem.layerNoop({})),
        Effect.flip
      )
      assert.strictEqual(error._tag, "InvalidProfileConfig")
      assert.include(error.message, "STREAMGUARD_CHAT_CHUNK_TIMEOUT")
      assert.include(error.message, "\"soon\"")
      const zero = yield* policyOf("chat").pipe(
        withEnv({ STREAMGUARD_CHAT_TOTAL_TIMEOUT: "0s" }),
        Effect.provide(FileSystem.layerNoop({})),
        Effect.flip
      )
      assert.include(zero.message, "STREAMGUARD_CHAT_TOTAL_TIMEOUT")
      assert.include(zero.message, "positive")
    }))

  it.effect("an unknown profile fails naming the known ones", () =>
    Effect.gen(function*() {
      const error = yield* policyOf("nope").pipe(
        withEnv({}),
        Effect.provide(FileSystem.layerNoop({})),
        Effect.flip
      )
      assert.strictEqual(error._tag, "UnknownProfile")
      assert.include(error.message, "\"nope\"")
      assert.include(error.message, "research, mcp, chat, batch")
    }))

  describe("config file", () => {
    const file = JSON.stringify({
      profiles: {
        chat: { chunk: "45s", total: "none" },
        agent: { base: "research", firstChunk: "2m" },
        bare: { chunk: 5000 }
      }
    })

    it.effect("the file overrides built-ins and defines custom profiles from a base", () =>
      Effect.gen(function*() {
        const layer = oneFile("/etc/sg.json", file)
        const env = withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json" })
        const chat = yield* policyOf("chat").pipe(env, Effect.provide(layer))
        assert.strictEqual(millis(chat, "chunk"), 45_000)
        assert.strictEqual(millis(chat, "total"), undefined)
        assert.strictEqual(millis(chat, "connect"), 10_000)
        const agent = yield* policyOf("agent").pipe(env, Effect.provide(layer))
        assert.strictEqual(millis(agent, "firstChunk"), 120_000)
        assert.strictEqual(millis(agent, "chunk"), 30_000)
        assert.strictEqual(millis(agent, "connect"), 10_000)
        const bare = yield* policyOf("bare").pipe(env, Effect.provide(layer))
        assert.strictEqual(millis(bare, "chunk"), 5_000)
        assert.strictEqual(millis(bare, "connect"), undefined)
      }))

    it.effect("env beats the file, and the per-call override beats env", () =>
      Effect.gen(function*() {
        const policy = yield* Effect.gen(function*() {
          const configured = yield* RequestProfile.policy
          const perCall = yield* RequestProfile.policy.pipe(RequestProfile.withPolicy({ chunk: Duration.seconds(5) }))
          return { configured, perCall }
        }).pipe(
          Effect.provide(ProfileConfig.layer("agent")),
          withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json", STREAMGUARD_AGENT_FIRST_CHUNK_TIMEOUT: "3m" }),
          Effect.provide(
            oneFile("/etc/sg.json", JSON.stringify({ profiles: { agent: { chunk: "20s", firstChunk: "2m" } } }))
          )
        )
        assert.strictEqual(millis(policy.configured, "firstChunk"), 180_000)
        assert.strictEqual(millis(policy.configured, "chunk"), 20_000)
        assert.strictEqual(millis(policy.perCall, "chunk"), 5_000)
        assert.strictEqual(millis(policy.perCall, "firstChunk"), 180_000)
      }))

    it.effect("a bad value in the file fails naming its path in the file", () =>
      Effect.gen(function*() {
        const error = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json" }),
          Effect.provide(oneFile("/etc/sg.json", JSON.stringify({ profiles: { chat: { chunk: "-3s" } } }))),
          Effect.flip
        )
        assert.strictEqual(error._tag, "InvalidProfileConfig")
        assert.include(error.message, "profiles.chat.chunk")
        assert.include(error.message, "/etc/sg.json")
      }))

    it.effect("a misspelt field in the file is rejected, not ignored", () =>
      Effect.gen(function*() {
        const error = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json" }),
          Effect.provide(oneFile("/etc/sg.json", JSON.stringify({ profiles: { chat: { firstchunk: "3s" } } }))),
          Effect.flip
        )
        assert.include(error.message, "profiles.chat.firstchunk")
      }))

    it.effect("keys the core does not own at the top of the shared file are left to the apps", () =>
      Effect.gen(function*() {
        const policy = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json" }),
          Effect.provide(
            oneFile(
              "/etc/sg.json",
              JSON.stringify({ upstreams: [{ name: "openai" }], profiles: { chat: { chunk: "45s" } } })
            )
          )
        )
        assert.strictEqual(millis(policy, "chunk"), 45_000)
      }))

    it.effect("a missing file and invalid JSON fail naming STREAMGUARD_CONFIG", () =>
      Effect.gen(function*() {
        const missing = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CONFIG: "/nowhere/sg.json" }),
          Effect.provide(NodeFileSystem.layer),
          Effect.flip
        )
        assert.include(missing.message, "STREAMGUARD_CONFIG")
        assert.include(missing.message, "/nowhere/sg.json")
        const broken = yield* policyOf("chat").pipe(
          withEnv({ STREAMGUARD_CONFIG: "/etc/sg.json" }),
          Effect.provide(oneFile("/etc/sg.json", "{ not json")),
          Effect.flip
        )
        assert.include(broken.message, "STREAMGUARD_CONFIG")
      }))

    it.effect("reads a real JSON file from disk through NodeFileSystem", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const path = `${dir}/streamguard.json`
        yield* fs.writeFileString(path, file)
        const all = yield* ProfileConfig.loadAll.pipe(
          withEnv({ STREAMGUARD_CONFIG: path, STREAMGUARD_BARE_TOTAL_TIMEOUT: "1m" })
        )
        assert.deepStrictEqual([...all.keys()], ["research", "mcp", "chat", "batch", "agent", "bare"])
        assert.strictEqual(millis(all.get("chat")!, "chunk"), 45_000)
        assert.strictEqual(millis(all.get("agent")!, "firstChunk"), 120_000)
        assert.strictEqual(millis(all.get("bare")!, "total"), 60_000)
        assert.strictEqual(millis(all.get("research")!, "total"), undefined)
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  })

  it.effect("an env key alone cannot invent a profile", () =>
    Effect.gen(function*() {
      const result = yield* policyOf("ghost").pipe(
        withEnv({ STREAMGUARD_GHOST_CHUNK_TIMEOUT: "5s" }),
        Effect.provide(FileSystem.layerNoop({})),
        Effect.result
      )
      assert.isTrue(Result.isFailure(result))
    }))
})
