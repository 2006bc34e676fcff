/**
 * The deployment files in deploy/, checked as far as this machine can without a container
 * runtime or a cluster: the Kubernetes manifests parse as YAML and hold what the gateway's
 * shutdown and probes need; the Dockerfile passes dockerfile-utils' validator (the linter of the
 * Docker language server, maintained, no engine requirement) and keeps its shape (multi-stage,
 * Node 24 LTS, production dependencies only, a non-root user, the image's own node); the build
 * config it compiles references every library the gateway depends on; the compose file and the
 * Deployment see to the open-files limit a replica's streams need.
 */
import { assert, describe, it } from "@effect/vitest"
import { validate } from "dockerfile-utils"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { parseAllDocuments } from "yaml"
import { packages, root } from "./Sources.js"

const deploy = Path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../deploy")
const read = (file: string) => Fs.readFileSync(Path.join(deploy, file), "utf8")

interface Manifest {
  readonly file: string
  readonly kind: string
  readonly body: Record<string, any>
}

const manifests: ReadonlyArray<Manifest> = Fs.readdirSync(Path.join(deploy, "kubernetes"))
  .filter((file) => file.endsWith(".yaml"))
  .flatMap((file) =>
    parseAllDocuments(read(`kubernetes/${file}`)).map((document) => {
      assert.deepStrictEqual(document.errors.map((error) => error.message), [], file)
      const body = document.toJS() as Record<string, any>
      return { file, kind: String(body["kind"]), body }
    })
  )

const only = (kind: string) => {
  const found = manifests.filter((manifest) => manifest.kind === kind)
  assert.strictEqual(found.length, 1, `one ${kind}`)
  return found[0]!.body
}

/** Seconds of a duration as the gateway's env vars write it (`30s`, `2m`). */
const seconds = (text: string): number => {
  const match = /^(\d+)(ms|s|m)$/.exec(text)
  assert.isNotNull(match, text)
  const [, value, unit] = match!
  return Number(value) * (unit === "m" ? 60 : unit === "s" ? 1 : 0.001)
}

describe("deploy/kubernetes", () => {
  it("every manifest parses and names its apiVersion, kind and name", () => {
    assert.isAbove(manifests.length, 0)
    for (const { body, file } of manifests) {
      assert.isString(body["apiVersion"], file)
      assert.isString(body["kind"], file)
      assert.isString(body["metadata"]?.["name"], file)
    }
  })

  it("the Deployment probes /readyz and /healthz, requests resources, and outlives its drain", () => {
    const spec = only("Deployment")["spec"]["template"]["spec"]
    const container = spec["containers"][0]
    assert.strictEqual(container["readinessProbe"]["httpGet"]["path"], "/readyz")
    assert.strictEqual(container["livenessProbe"]["httpGet"]["path"], "/healthz")
    assert.isDefined(container["resources"]["requests"]["cpu"])
    assert.isDefined(container["resources"]["requests"]["memory"])
    const env = new Map<string, string>(
      container["env"].map((entry: { name: string; value?: string }) => [entry.name, entry.value])
    )
    const drain = seconds(env.get("STREAMGUARD_DRAIN_TIMEOUT") ?? "30s")
    const preStop = Number(container["lifecycle"]?.["preStop"]?.["exec"]?.["command"]?.[1] ?? 0)
    assert.isAbove(spec["terminationGracePeriodSeconds"], drain + preStop)
  })

  it("the Deployment refuses a node whose open-files hard limit is too low for its streams", () => {
    const spec = only("Deployment")["spec"]["template"]["spec"]
    const check = (spec["initContainers"] ?? []).find((c: { name: string }) => c.name === "open-files-limit")
    assert.isDefined(check)
    assert.strictEqual(check["image"], spec["containers"][0]["image"])
    assert.match(check["command"].join(" "), /ulimit -H -n[\s\S]*exit 1/)
  })

  it("the Service selects the Deployment's pods", () => {
    const labels = only("Deployment")["spec"]["template"]["metadata"]["labels"]
    const selector = only("Service")["spec"]["selector"]
    for (const [key, value] of Object.entries(selector)) assert.strictEqual(labels[key], value, key)
  })
})

describe("deploy/Dockerfile", () => {
  const dockerfile = read("Dockerfile")

  it("passes dockerfile-utils' validator with no problem", () => {
    assert.deepStrictEqual(
      validate(dockerfile).map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`),
      []
    )
  })

  const lines = dockerfile.split("\n").map((line) => line.trim())

  it("builds in a stage of its own, then runs Node 24 LTS with production dependencies only, as a non-root user", () => {
    const stages = lines.filter((line) => line.startsWith("FROM "))
    assert.isAtLeast(stages.length, 2)
    assert.match(lines.find((line) => line.startsWith("ARG NODE_IMAGE=")) ?? "", /=node:24[-.]/)
    const runtime = lines.slice(lines.lastIndexOf(stages.at(-1)!))
    assert.isTrue(runtime.some((line) => /npm ci --omit=dev/.test(line)))
    const user = runtime.filter((line) => line.startsWith("USER ")).at(-1)
    assert.isDefined(user)
    assert.notMatch(user!, /^USER (root|0)(:|$)/)
  })

  it("runs the image's node itself: no npm script, npx or scripts/node.mjs (the launcher for older Nodes)", () => {
    const instructions = lines.filter((line) => line !== "" && !line.startsWith("#"))
    assert.deepStrictEqual(
      instructions.filter((line) => /scripts\/node\.mjs|\bnpm (run|start|test)\b|\bnpx\b/.test(line)),
      []
    )
    assert.match(instructions.filter((line) => line.startsWith("CMD ")).at(-1) ?? "", /^CMD \["node", /)
  })
})

describe("deploy/gateway/tsconfig.json", () => {
  it("references every workspace library the gateway depends on, and nothing else: the image copies what it builds", () => {
    const config = ts.parseConfigFileTextToJson("tsconfig.json", read("gateway/tsconfig.json"))
    assert.isUndefined(config.error)
    const referenced = (config.config.references as Array<{ path: string }>).map((reference) =>
      Path.relative(root, Path.dirname(Path.resolve(deploy, "gateway", reference.path)))
    ).sort()
    const manifest = JSON.parse(Fs.readFileSync(Path.join(root, "apps/gateway/package.json"), "utf8"))
    const libraries = Object.keys(manifest.dependencies as Record<string, string>)
      .flatMap((name) => {
        const pkg = packages.get(name)
        return pkg === undefined ? [] : [Path.relative(root, pkg.dir)]
      })
      .sort()
    assert.isAbove(libraries.length, 0)
    assert.deepStrictEqual(referenced, libraries)
  })
})

describe("deploy/compose.yaml", () => {
  const [document] = parseAllDocuments(read("compose.yaml"))
  const gateway = (document!.toJS() as Record<string, any>)["services"]["gateway"]

  it("builds the image from deploy/Dockerfile and raises the open-files limit, soft and hard", () => {
    assert.deepStrictEqual(document!.errors.map((error) => error.message), [])
    assert.strictEqual(gateway["build"]["dockerfile"], "deploy/Dockerfile")
    const nofile = gateway["ulimits"]["nofile"]
    // Two descriptors per stream: at least 10,000 streams' worth.
    assert.isAtLeast(nofile["hard"], 20_000)
    assert.strictEqual(nofile["soft"], nofile["hard"])
    assert.isAbove(seconds(gateway["stop_grace_period"]), 30)
  })
})

describe("deploy/nginx", () => {
  const conf = read("nginx/streamguard.conf")

  it("streams unbuffered, with idle timeouts above the gateway's keep-alive interval (15s)", () => {
    assert.match(conf, /^\s*proxy_buffering off;/m)
    for (const directive of ["proxy_read_timeout", "proxy_send_timeout", "send_timeout"]) {
      const value = new RegExp(`^\\s*${directive} (\\w+);`, "m").exec(conf)?.[1]
      assert.isDefined(value, directive)
      assert.isAbove(seconds(value!), 15, directive)
    }
    assert.match(conf, /^\s*proxy_next_upstream [^;]*http_503[^;]*non_idempotent/m)
  })
})
