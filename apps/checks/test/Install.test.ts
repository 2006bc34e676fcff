/**
 * The README's install steps, run as written for each Effect line: the libraries packed in the
 * clone, then installed into a scratch backend beside that line's Effect, where a program runs on
 * them under plain `node` and another typechecks against their shipped declarations.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { root } from "./Sources.js"

const exec = promisify(execFile)

interface Line {
  /** The folder of `packed/` and the README's install step: `effect4` or `effect3`. */
  readonly name: string
  /** The line's examples workspace, whose `installed/` holds the scratch backend's programs. */
  readonly examples: string
  /** The libraries a backend of this line gets: package name and folder. */
  readonly libraries: ReadonlyArray<{ readonly name: string; readonly dir: string }>
  /** The Effect packages the README installs beside them, pinned to the versions the line tests with. */
  readonly peers: ReadonlyArray<string>
  /** Whether the line ships the `streamguard` command. */
  readonly cli: boolean
}

const names = ["core", "protocols", "client", "simulator", "testing", "ai"]
const kernel = { name: "kernel", dir: "packages/kernel" }

const lines: ReadonlyArray<Line> = [
  {
    name: "effect4",
    examples: "packages/effect4/examples",
    libraries: [
      kernel,
      ...names.map((name) => ({ name, dir: `packages/effect4/${name}` })),
      { name: "cli", dir: "packages/cli" }
    ],
    peers: ["effect", "@effect/platform-node"],
    cli: true
  },
  {
    name: "effect3",
    examples: "packages/effect3/examples",
    libraries: [kernel, ...names.map((name) => ({ name: `${name}-effect3`, dir: `packages/effect3/${name}` }))],
    peers: ["effect", "@effect/platform", "@effect/platform-node"],
    cli: false
  }
]

const readJson = async (file: string) => JSON.parse(await Fs.readFile(file, "utf8"))

/** The shell commands of one install step: the `sh` block right after `<!-- install: <step> -->`. */
const installStep = async (step: string): Promise<string> => {
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

let scratch = ""
let packed = ""

beforeAll(async () => {
  scratch = await Fs.mkdtemp(Path.join(Os.tmpdir(), "streamguard-install-"))
  // The clone's step, once for both lines: it packs every library, and prints where they are.
  const { stdout } = await exec("bash", ["-euo", "pipefail", "-c", `${await installStep("clone")}\necho "$packed"`], {
    cwd: root,
    env: outside(),
    maxBuffer: 64 * 1024 * 1024
  })
  packed = stdout.trim().split("\n").at(-1)!
}, 300_000)

afterAll(() => Fs.rm(scratch, { recursive: true, force: true }))

/** A new backend: an npm project of ES modules, with TypeScript to typecheck against the libraries. */
const makeBackend = async (line: Line): Promise<string> => {
  const backend = Path.join(scratch, line.name)
  await Fs.mkdir(backend)
  const repo = await readJson(Path.join(root, "package.json"))
  const manifest = {
    name: "a-backend",
    private: true,
    type: "module",
    devDependencies: {
      typescript: repo.devDependencies["typescript"],
      "@types/node": repo.devDependencies["@types/node"]
    }
  }
  await Fs.writeFile(Path.join(backend, "package.json"), JSON.stringify(manifest, null, 2))
  for (const file of ["main.mjs", "consumer.ts", "tsconfig.json"]) {
    await Fs.copyFile(Path.join(root, line.examples, "installed", file), Path.join(backend, file))
  }
  return backend
}

/** packed/<line> holds one tarball per library of the line, each shipping its build and no tests. */
const checkTarballs = async (line: Line) => {
  const folder = Path.join(packed, line.name)
  const tarballs = (await Fs.readdir(folder)).sort()
  const expected = await Promise.all(line.libraries.map(async ({ dir, name }) => {
    const { version } = await readJson(Path.join(root, dir, "package.json"))
    return `streamguard-${name}-${version}.tgz`
  }))
  assert.deepStrictEqual(tarballs, expected.sort())
  for (const tarball of tarballs) {
    const { stdout } = await exec("tar", ["-tzf", Path.join(folder, tarball)])
    const paths = new Set(stdout.split("\n").map((entry) => entry.replace(/^package\//, "")))
    for (const shipped of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/index.js.map"]) {
      assert.isTrue(paths.has(shipped), `${tarball} ships ${shipped}`)
    }
    assert.isFalse([...paths].some((path) => path.startsWith("test/")), `${tarball} ships no tests`)
  }
}

/** The Effect the backend got is the one the line tests with, and there is one copy of it. */
const checkPeers = async (line: Line, backend: string, env: NodeJS.ProcessEnv) => {
  const client = await readJson(
    Path.join(root, line.libraries.find(({ name }) => name.startsWith("client"))!.dir, "package.json")
  )
  for (const peer of line.peers) {
    const installed = await readJson(Path.join(backend, "node_modules", peer, "package.json"))
    assert.strictEqual(installed.version, client.devDependencies[peer], peer)
  }
  for (const { name } of line.libraries) {
    const built = Path.join(backend, "node_modules/@streamguard", name, "dist/index.js")
    assert.isTrue(await Fs.stat(built).then(() => true), `@streamguard/${name} installed`)
  }
  const { stdout: tree } = await exec("npm", ["ls", "effect", "--all", "--parseable"], { cwd: backend, env })
  assert.deepStrictEqual(tree.trim().split("\n").filter((entry) => entry.endsWith("node_modules/effect")), [
    Path.join(await Fs.realpath(backend), "node_modules/effect")
  ])
}

/** The command as the README says to run it: its installed bin, the built dist, no tsx. */
const checkCli = async (backend: string, env: NodeJS.ProcessEnv) => {
  const { stdout: help } = await exec("npx", ["streamguard", "--help"], { cwd: backend, env })
  for (const command of ["probe", "replay", "sim", "check-config"]) assert.match(help, new RegExp(`\\n {2}${command} `))
  const { stdout: profiles } = await exec("npx", ["streamguard", "check-config"], {
    cwd: backend,
    env: { ...env, STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s" }
  })
  assert.match(profiles, /chat\s+.*chunk 45s/)
}

describe.each(lines)("the README's install steps for the $name line", (line) => {
  it(
    "give a backend the packed libraries beside its Effect: they run under plain node and typecheck against the shipped .d.ts",
    async () => {
      await checkTarballs(line)
      const backend = await makeBackend(line)
      const env = { ...outside(), packed }
      await exec("bash", ["-euo", "pipefail", "-c", await installStep(`backend ${line.name}`)], {
        cwd: backend,
        env,
        maxBuffer: 64 * 1024 * 1024
      })
      await checkPeers(line, backend, env)

      const { stdout: printed } = await exec(process.execPath, ["main.mjs"], { cwd: backend, env, timeout: 60_000 })
      const result = JSON.parse(printed.trim().split("\n").at(-1)!)
      assert.isAbove(result.text.length, 0)
      assert.strictEqual(result.stalled, "ChunkTimeout")
      assert.strictEqual(result.limitMillis, 300)
      assert.isTrue(result.upstreamClosed)
      // The same stall in memory under the TestClock: the chat profile's 30 s chunk limit.
      assert.strictEqual(result.testClockLimitMillis, 30_000)

      if (line.cli) await checkCli(backend, env)
      await exec(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { cwd: backend, env })
    },
    300_000
  )
})
