import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const exec = promisify(execFile)
const appDir = fileURLToPath(new URL("..", import.meta.url))
const root = Path.resolve(appDir, "../../..")

/** The libraries the README's install steps give a backend, as `npm run pack` packs them: name and folder. */
const libraries: ReadonlyArray<{ readonly name: string; readonly dir: string }> = [
  { name: "kernel", dir: "packages/kernel" },
  ...["core", "protocols", "client", "simulator", "testing", "ai"].map((name) => ({
    name: `${name}-effect3`,
    dir: `packages/effect3/${name}`
  })),
  { name: "cli", dir: "packages/cli" }
]

const readJson = async (file: string) => JSON.parse(await Fs.readFile(file, "utf8"))

/**
 * The shell commands of one step of the README's "Use it in your backend": the `sh` block right
 * after `<!-- install: <step> -->`.
 */
const installStep = async (step: "clone" | "backend"): Promise<string> => {
  const readme = await Fs.readFile(Path.join(root, "README.md"), "utf8")
  const block = new RegExp(`<!-- install: ${step} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme)
  assert.isNotNull(block, `the README has the install step ${step}`)
  return block![1]!
}

/**
 * The environment of a backend outside this repository: none of the `npm test` run's npm settings
 * (workspaces, scripts) and no `@streamguard/source` condition, so only what ships is used. npm
 * may answer from its cache (the commands are the README's; where npm looks first is not).
 */
const outside = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_") && key !== "NODE_OPTIONS")
  ),
  npm_config_prefer_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_loglevel: "error"
})

describe("the README's install steps", () => {
  it(
    "run as written, they give a backend the packed libraries: they run under plain node, typecheck against the shipped .d.ts, and npx streamguard runs",
    async () => {
      const scratch = await Fs.mkdtemp(Path.join(Os.tmpdir(), "streamguard-install-"))
      try {
        // A backend: an npm project of ES modules, with TypeScript to typecheck against the libraries.
        const backend = Path.join(scratch, "backend")
        await Fs.mkdir(backend)
        const repo = await readJson(Path.join(root, "package.json"))
        await Fs.writeFile(
          Path.join(backend, "package.json"),
          JSON.stringify(
            {
              name: "a-backend",
              private: true,
              type: "module",
              devDependencies: {
                typescript: repo.devDependencies["typescript"],
                "@types/node": repo.devDependencies["@types/node"]
              }
            },
            null,
            2
          )
        )
        for (const file of ["main.mjs", "consumer.ts", "tsconfig.json"]) {
          await Fs.copyFile(Path.join(appDir, "installed", file), Path.join(backend, file))
        }

        // The two steps in one shell: the first in the clone, the second in the backend's folder.
        const env = outside()
        const steps = [await installStep("clone"), `cd ${JSON.stringify(backend)}`, await installStep("backend")]
        await exec("bash", ["-euo", "pipefail", "-c", steps.join("\n")], {
          cwd: root,
          env,
          maxBuffer: 64 * 1024 * 1024
        })

        // packed/ holds one tarball per library, each shipping its build and no tests.
        const tarballs = (await Fs.readdir(Path.join(root, "packed"))).sort()
        const expected = await Promise.all(libraries.map(async ({ dir, name }) => {
          const { version } = await readJson(Path.join(root, dir, "package.json"))
          return `streamguard-${name}-${version}.tgz`
        }))
        assert.deepStrictEqual(tarballs, expected.sort())
        for (const tarball of tarballs) {
          const { stdout } = await exec("tar", ["-tzf", Path.join(root, "packed", tarball)])
          const paths = new Set(stdout.split("\n").map((line) => line.replace(/^package\//, "")))
          for (
            const shipped of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/index.js.map"]
          ) {
            assert.isTrue(paths.has(shipped), `${tarball} ships ${shipped}`)
          }
          assert.isFalse([...paths].some((path) => path.startsWith("test/")), `${tarball} ships no tests`)
        }

        // The versions the README pins are the ones this repository tests with.
        const client = await readJson(Path.join(root, "packages/effect3/client/package.json"))
        for (const peer of ["effect", "@effect/platform", "@effect/platform-node"]) {
          const installed = await readJson(Path.join(backend, "node_modules", peer, "package.json"))
          assert.strictEqual(installed.version, client.devDependencies[peer], peer)
        }
        for (const { name } of libraries) {
          assert.isTrue(
            await Fs.stat(Path.join(backend, "node_modules/@streamguard", name, "dist/index.js")).then(() => true),
            `@streamguard/${name} installed`
          )
        }
        // One copy of effect for the backend and every library.
        const { stdout: tree } = await exec("npm", ["ls", "effect", "--all", "--parseable"], { cwd: backend, env })
        assert.deepStrictEqual(tree.trim().split("\n").filter((line) => line.endsWith("node_modules/effect")), [
          Path.join(await Fs.realpath(backend), "node_modules/effect")
        ])

        const { stdout: printed } = await exec(process.execPath, ["main.mjs"], { cwd: backend, env, timeout: 60_000 })
        const result = JSON.parse(printed.trim().split("\n").at(-1)!)
        assert.isAbove(result.text.length, 0)
        assert.strictEqual(result.stalled, "ChunkTimeout")
        assert.strictEqual(result.limitMillis, 300)
        assert.isTrue(result.upstreamClosed)

        // The command as the README says to run it: its installed bin, the built dist, no tsx.
        const { stdout: help } = await exec("npx", ["streamguard", "--help"], { cwd: backend, env })
        for (const command of ["probe", "replay", "sim", "check-config"]) assert.include(help, `- ${command}`)
        const { stdout: profiles } = await exec("npx", ["streamguard", "check-config"], {
          cwd: backend,
          env: { ...env, STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s" }
        })
        assert.match(profiles, /chat\s+.*chunk 45s/)

        await exec(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { cwd: backend, env })
      } finally {
        await Fs.rm(scratch, { recursive: true, force: true })
      }
    },
    300_000
  )
})
