import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Config } from "@streamguard/gateway"
import { ConfigProvider, Duration, Effect } from "effect"
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import * as Replicas from "./Replicas.js"

const manifest = fileURLToPath(new URL("../../../deploy/kubernetes/configmap.yaml", import.meta.url))
const deployment = fileURLToPath(new URL("../../../deploy/kubernetes/deployment.yaml", import.meta.url))
const dockerfile = fileURLToPath(new URL("../../../deploy/Dockerfile", import.meta.url))

/**
 * The environment the gateway's container gets: the Dockerfile's `ENV` line, then the Deployment's
 * env (a value as written, a required Secret's key as some value; an optional one may be absent).
 */
const containerEnv = (): Map<string, string> => {
  const env = new Map<string, string>()
  const line = Fs.readFileSync(dockerfile, "utf8").split("\n").find((l) =>
    /^ENV [A-Z_]+=\S+ /.test(l) && l.includes("HOST=")
  )
  for (const [, name, value] of line!.matchAll(/([A-Z_]+)=(\S+)/g)) env.set(name!, value!)
  const container = (parse(Fs.readFileSync(deployment, "utf8")) as any).spec.template.spec.containers[0]
  for (const entry of container.env as ReadonlyArray<any>) {
    if (entry.value !== undefined) env.set(entry.name, String(entry.value))
    else if (entry.valueFrom?.secretKeyRef?.optional !== true) env.set(entry.name, `secret-${entry.name}`)
  }
  return env
}

/** The `gateway.json` block of the ConfigMap, unindented (a YAML literal block). */
const configFile = (): string => {
  const lines = Fs.readFileSync(manifest, "utf8").split("\n")
  const start = lines.findIndex((line) => line.trim() === "gateway.json: |")
  const block = lines.slice(start + 1).filter((line) => line.trim() !== "")
  const indent = block[0]!.length - block[0]!.trimStart().length
  return block.map((line) => line.slice(indent)).join("\n")
}

describe("deploy/kubernetes/configmap.yaml", () => {
  it.live("its config file loads as the gateway reads it, in the Deployment's environment, keys required", () =>
    Effect.gen(function*() {
      const dir = yield* Replicas.tempDir
      const file = `${dir}/gateway.json`
      Fs.writeFileSync(file, configFile())
      const env = containerEnv()
      // Every interface, an upstream key, and the gateway keys from a Secret that must exist: not
      // an open proxy, so it starts.
      assert.strictEqual(env.get("HOST"), "0.0.0.0")
      assert.isTrue(env.has("STREAMGUARD_GATEWAY_KEYS"), "the Deployment requires its gateway keys")
      env.set("STREAMGUARD_CONFIG", file)
      const config = yield* Config.load.pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: Object.fromEntries(env) })),
        Effect.provide(NodeFileSystem.layer)
      )
      assert.deepStrictEqual(config.upstreams.map((upstream) => upstream.name), ["openai"])
      assert.strictEqual(config.rateLimits.upstreams["openai"]?.requests, 3000)
      assert.isTrue(Duration.equals(config.rateLimits.perKey!.per, Duration.minutes(1)))
    }))
})
