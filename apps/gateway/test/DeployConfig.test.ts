import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Config } from "@streamguard/gateway"
import { ConfigProvider, Duration, Effect } from "effect"
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"
import * as Replicas from "./Replicas.js"

const manifest = fileURLToPath(new URL("../../../deploy/kubernetes/configmap.yaml", import.meta.url))

/** The `gateway.json` block of the ConfigMap, unindented (a YAML literal block). */
const configFile = (): string => {
  const lines = Fs.readFileSync(manifest, "utf8").split("\n")
  const start = lines.findIndex((line) => line.trim() === "gateway.json: |")
  const block = lines.slice(start + 1).filter((line) => line.trim() !== "")
  const indent = block[0]!.length - block[0]!.trimStart().length
  return block.map((line) => line.slice(indent)).join("\n")
}

describe("deploy/kubernetes/configmap.yaml", () => {
  it.scopedLive("its config file loads as the gateway reads it, rate limits included", () =>
    Effect.gen(function*() {
      const dir = yield* Replicas.tempDir
      const file = `${dir}/gateway.json`
      Fs.writeFileSync(file, configFile())
      const config = yield* Config.load.pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map([["STREAMGUARD_CONFIG", file], ["OPENAI_API_KEY", "sk-test"]]))
        ),
        Effect.provide(NodeFileSystem.layer)
      )
      assert.deepStrictEqual(config.upstreams.map((upstream) => upstream.name), ["openai"])
      assert.strictEqual(config.rateLimits.upstreams["openai"]?.requests, 3000)
      assert.isTrue(Duration.equals(config.rateLimits.perKey!.per, Duration.minutes(1)))
    }))
})
