/**
 * Every npm script that runs node code (node itself, npx, or a command npm links into
 * node_modules/.bin: tsc, eslint, vitest, tsx ...) starts it through scripts/node.mjs, with `exec`,
 * as its last command. The launcher picks a Node the tooling runs on (>= 22.19) whatever Node runs
 * npm, and relays a stop signal to the command once; `exec` leaves no shell between npm and it,
 * which would keep `kill <npm pid>` from reaching the command.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..")
const launcher = Path.join(root, "scripts", "node.mjs")
const readJson = (file: string) => JSON.parse(Fs.readFileSync(Path.join(root, file), "utf8"))

/** The root's folder ("") and every workspace's, `folder/*` patterns expanded. */
const packageFolders = (): ReadonlyArray<string> => [
  "",
  ...(readJson("package.json").workspaces as ReadonlyArray<string>).flatMap((pattern) =>
    pattern.endsWith("/*")
      ? Fs.readdirSync(Path.join(root, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`)
      : [pattern]
  ).filter((folder) => Fs.existsSync(Path.join(root, folder, "package.json")))
]

/** The commands that run node code: node, npx, and every bin npm installed for the repository. */
const nodeCommands = new Set(["node", "npx", ...Fs.readdirSync(Path.join(root, "node_modules", ".bin"))])

/** What is wrong with one script of the package in `folder`, or undefined when it is right. */
const mistake = (folder: string, script: string): string | undefined => {
  const commands = script.split(/&&|\|\||[;|]/).map((command) => command.trim())
  for (const [index, command] of commands.entries()) {
    const [first, second, third] = command.split(/\s+/)
    if (first === "npm") {
      // Another npm script is checked in its turn; `npm exec` is npx.
      if (second === "exec" || second === "x") return `${command}: runs a bin without \`exec node scripts/node.mjs\``
      continue
    }
    if (first === "exec" && second === "node" && third !== undefined) {
      if (Path.resolve(root, folder, third) !== launcher) return `${command}: node runs without scripts/node.mjs`
      if (index !== commands.length - 1) return `${command}: exec ends the script, so it comes last`
      continue
    }
    const program = first === "exec" ? second : first
    if (program !== undefined && nodeCommands.has(program)) {
      return `${command}: ${program} runs without \`exec node scripts/node.mjs\``
    }
  }
  return undefined
}

describe("npm scripts", () => {
  it("every script that runs node code runs it through scripts/node.mjs, with exec, as its last command", () => {
    const found = packageFolders().flatMap((folder) =>
      Object.entries((readJson(Path.join(folder, "package.json")).scripts ?? {}) as Record<string, string>)
        .flatMap(([name, script]) => {
          const wrong = mistake(folder, script)
          return wrong === undefined ? [] : [`${Path.join(folder, "package.json")} ${name}: ${wrong}`]
        })
    )
    assert.deepStrictEqual(found, [])
  })

  it("the check sees what it is for", () => {
    const wrong = (folder: string, script: string) => mistake(folder, script) !== undefined
    assert.isFalse(wrong("", "exec node scripts/node.mjs node_modules/typescript/bin/tsc -b"))
    assert.isFalse(wrong("packages/effect3/core", "exec node ../../../scripts/node.mjs --import tsx src/main.ts"))
    assert.isFalse(wrong("", "npm run typecheck && npm run lint && exec node scripts/node.mjs vitest.mjs run"))
    assert.isFalse(wrong("", "rm -rf packed"))
    assert.isTrue(wrong("", "tsc -b"))
    assert.isTrue(wrong("", "npx tsc -b"))
    assert.isTrue(wrong("", "npm exec tsc -- -b"))
    assert.isTrue(wrong("", "node scripts/node.mjs scripts/pack.mjs"))
    assert.isTrue(wrong("", "exec node scripts/pack.mjs"))
    assert.isTrue(wrong("packages/effect3/core", "exec node scripts/node.mjs src/main.ts"))
    assert.isTrue(wrong("", "exec node scripts/node.mjs a.js && npm run b"))
    assert.isTrue(wrong("", "npm run typecheck && vitest run"))
  })
})
