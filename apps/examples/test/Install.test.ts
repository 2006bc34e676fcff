import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const exec = promisify(execFile)
const appDir = fileURLToPath(new URL("..", import.meta.url))
const root = Path.resolve(appDir, "../..")
const libraries = ["core", "protocols", "client", "simulator", "testing", "ai", "cli"] as const

const readJson = async (file: string) => JSON.parse(await Fs.readFile(file, "utf8"))

/**
 * The environment of a backend outside this repository: none of the `npm test` run's npm settings
 * (workspaces, scripts) and no `@streamguard/source` condition, so only what ships is used.
 */
const outside = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_") && key !== "NODE_OPTIONS")
  )

interface Packed {
  readonly name: string
  readonly filename: string
  readonly files: ReadonlyArray<{ readonly path: string }>
}

describe("the packed libraries", () => {
  it(
    "install outside the repository with their peers, run under plain node and typecheck against the shipped .d.ts",
    async () => {
      const scratch = await Fs.mkdtemp(Path.join(Os.tmpdir(), "streamguard-install-"))
      try {
        const { stdout } = await exec(
          "npm",
          [
            "pack",
            ...libraries.map((name) => `--workspace=@streamguard/${name}`),
            "--pack-destination",
            scratch,
            "--json"
          ],
          { cwd: root, maxBuffer: 64 * 1024 * 1024 }
        )
        const packed = JSON.parse(stdout) as ReadonlyArray<Packed>
        assert.deepStrictEqual(packed.map((p) => p.name), libraries.map((name) => `@streamguard/${name}`))
        for (const { files, name } of packed) {
          const paths = new Set(files.map((file) => file.path))
          for (
            const shipped of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/index.js.map"]
          ) {
            assert.isTrue(paths.has(shipped), `${name} ships ${shipped}`)
          }
          assert.isFalse([...paths].some((path) => path.startsWith("test/")), `${name} ships no tests`)
        }

        // The versions this repository tests against, and the TypeScript it builds with.
        const client = await readJson(Path.join(root, "packages/client/package.json"))
        const repo = await readJson(Path.join(root, "package.json"))
        const dependencies: Record<string, string> = {
          ...Object.fromEntries(packed.map((p) => [p.name, `file:./${p.filename}`])),
          effect: client.devDependencies["effect"],
          "@effect/platform": client.devDependencies["@effect/platform"],
          "@effect/platform-node": client.devDependencies["@effect/platform-node"],
          typescript: repo.devDependencies["typescript"],
          "@types/node": repo.devDependencies["@types/node"]
        }
        await Fs.writeFile(
          Path.join(scratch, "package.json"),
          JSON.stringify({ name: "a-backend", private: true, type: "module", dependencies }, null, 2)
        )
        for (const file of ["main.mjs", "consumer.ts", "tsconfig.json"]) {
          await Fs.copyFile(Path.join(appDir, "installed", file), Path.join(scratch, file))
        }
        const env = outside()
        await exec("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
          cwd: scratch,
          env
        })
        // One copy of effect for the backend and every library.
        const { stdout: tree } = await exec("npm", ["ls", "effect", "--all", "--parseable"], { cwd: scratch, env })
        assert.deepStrictEqual(tree.trim().split("\n").filter((line) => line.endsWith("node_modules/effect")), [
          Path.join(await Fs.realpath(scratch), "node_modules/effect")
        ])

        const { stdout: printed } = await exec(process.execPath, ["main.mjs"], { cwd: scratch, env, timeout: 60_000 })
        const result = JSON.parse(printed.trim().split("\n").at(-1)!)
        assert.isAbove(result.text.length, 0)
        assert.strictEqual(result.stalled, "ChunkTimeout")
        assert.strictEqual(result.limitMillis, 300)
        assert.isTrue(result.upstreamClosed)

        // The command, from its installed bin under plain node: the built dist, no tsx.
        const { stdout: help } = await exec(process.execPath, ["node_modules/.bin/streamguard", "--help"], {
          cwd: scratch,
          env
        })
        for (const command of ["probe", "replay", "sim", "check-config"]) assert.include(help, `- ${command}`)
        const { stdout: profiles } = await exec(process.execPath, ["node_modules/.bin/streamguard", "check-config"], {
          cwd: scratch,
          env: { ...env, STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s" }
        })
        assert.match(profiles, /chat\s+.*chunk 45s/)

        await exec(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { cwd: scratch, env })
      } finally {
        await Fs.rm(scratch, { recursive: true, force: true })
      }
    },
    300_000
  )
})
