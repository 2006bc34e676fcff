import { assert, describe, it } from "@effect/vitest"
import { ConfigFile, ProfileConfig } from "@streamguard/core"
import { Effect, FileSystem, Schema } from "effect"

/** A file system that holds exactly one file, for decoding tests without touching the disk. */
const oneFile = (path: string, content: string) =>
  FileSystem.layerNoop({
    readFileString: (at: string) => at === path ? Effect.succeed(content) : FileSystem.makeNoop({}).readFileString(at)
  })

describe("ConfigFile.read", () => {
  it.effect("names every mistake of the file, one line each with its key path, not only the first", () =>
    Effect.gen(function*() {
      const file = JSON.stringify({ profiles: { chat: { chunk: "-3", firstchunk: "2m" }, agent: { base: "nope" } } })
      const error = yield* ConfigFile.read("/etc/sg.json", ProfileConfig.FileSection).pipe(
        Effect.provide(oneFile("/etc/sg.json", file)),
        Effect.flip
      )
      assert.strictEqual(error._tag, "InvalidProfileConfig")
      assert.sameMembers(error.mistakes.map((mistake) => mistake.key), [
        "profiles.chat.chunk",
        "profiles.chat.firstchunk",
        "profiles.agent.base"
      ])
      const lines = error.message.split("\n")
      assert.lengthOf(lines, 3)
      assert.include(lines, "bad config profiles.chat.chunk (/etc/sg.json): a timeout must be positive; got \"-3\"")
    }))

  it.effect("a key the schema does not know is the reader's schema's business: left alone, or refused", () =>
    Effect.gen(function*() {
      const file = JSON.stringify({ upstreams: [], profiles: {} })
      const files = oneFile("/etc/sg.json", file)
      const shared = yield* ConfigFile.read("/etc/sg.json", ProfileConfig.FileSection).pipe(Effect.provide(files))
      assert.deepStrictEqual(shared.profiles, {})
      // Effect 4 has no excess-property option a schema carries itself: any other key must be nothing.
      const strict = Schema.StructWithRest(Schema.Struct({ profiles: Schema.Unknown }), [
        Schema.Record(Schema.String.check(Schema.makeFilter((key: string) => key !== "profiles")), Schema.Never)
      ])
      const error = yield* ConfigFile.read("/etc/sg.json", strict).pipe(Effect.provide(files), Effect.flip)
      assert.strictEqual(error.key, "upstreams")
    }))

  it.effect("a file that cannot be read, or is no JSON, is a mistake of STREAMGUARD_CONFIG itself", () =>
    Effect.gen(function*() {
      const broken = yield* ConfigFile.read("/etc/sg.json", ProfileConfig.FileSection).pipe(
        Effect.provide(oneFile("/etc/sg.json", "{ not json")),
        Effect.flip
      )
      assert.strictEqual(broken.key, ConfigFile.key)
      assert.strictEqual(broken.source, "/etc/sg.json")
      assert.include(broken.reason, "invalid JSON")
    }))
})
