import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../..")

/** Every README a user reads, and the other docs. */
const readmes = [
  "README.md",
  "ARCHITECTURE.md",
  ...Fs.readdirSync(Path.join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`),
  // Every workspace's, as the root manifest lists them (`apps/*` is every folder of `apps`).
  ...(JSON.parse(Fs.readFileSync(Path.join(root, "package.json"), "utf8")).workspaces as Array<string>)
    .flatMap((entry) =>
      entry.endsWith("/*")
        ? Fs.readdirSync(Path.join(root, entry.slice(0, -2))).map((name) => `${entry.slice(0, -2)}/${name}`)
        : [entry]
    )
    .map((folder) => `${folder}/README.md`)
    .filter((path) => Fs.existsSync(Path.join(root, path)))
]

/** The opening fence of every code block, with its line: the info string says the block's language. */
const openingFences = (markdown: string): Array<{ readonly line: number; readonly info: string }> => {
  const fences: Array<{ line: number; info: string }> = []
  let open = false
  markdown.split("\n").forEach((text, index) => {
    if (!text.startsWith("```")) return
    if (!open) fences.push({ line: index + 1, info: text.slice(3).trim() })
    open = !open
  })
  return fences
}

/**
 * A README's TypeScript blocks, each with the source it claims to be: the HTML comment just
 * before the block, `<!-- example: path/from/the/root.ts -->` (the whole file) or `...ts#name`
 * (the lines between `// #region name` and `// #endregion`).
 */
const blocks = (markdown: string) =>
  [...markdown.matchAll(/(?:<!-- example: (\S+?) -->\n)?```ts\n([\s\S]*?)```/g)].map((match) => ({
    source: match[1],
    code: match[2]!
  }))

const dedent = (lines: ReadonlyArray<string>): string => {
  const indent = Math.min(...lines.filter((line) => line.trim() !== "").map((line) => /^ */.exec(line)![0].length))
  return lines.map((line) => line.slice(indent)).join("\n") + "\n"
}

const sourceOf = (reference: string): string => {
  const [file, region] = reference.split("#")
  const text = Fs.readFileSync(Path.join(root, file!), "utf8")
  if (region === undefined) return text
  const lines = text.split("\n")
  const start = lines.findIndex((line) => line.trim() === `// #region ${region}`)
  assert.isAtLeast(start, 0, `${file} has no region ${region}`)
  const end = lines.findIndex((line, at) => at > start && line.trim() === "// #endregion")
  return dedent(lines.slice(start + 1, end))
}

describe("README code blocks", () => {
  for (const readme of readmes) {
    it(`${readme}: every code block names its language, so code is never fenced as plain text unchecked`, () => {
      const unnamed = openingFences(Fs.readFileSync(Path.join(root, readme), "utf8")).filter((fence) =>
        fence.info === ""
      )
      assert.deepStrictEqual(unnamed.map((fence) => `${readme}:${fence.line}`), [])
    })

    it(`${readme}: every TypeScript block is a typechecked, tested source, character for character`, () => {
      for (const { code, source } of blocks(Fs.readFileSync(Path.join(root, readme), "utf8"))) {
        assert.isDefined(source, `a block in ${readme} names no source:\n${code}`)
        assert.strictEqual(code, sourceOf(source!), `${readme} block from ${source}`)
      }
    })
  }
})
