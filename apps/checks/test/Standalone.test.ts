import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..")

/** What a clone holds: git's list of files (tracked, and new ones not ignored), else a walk of the tree. */
const files = (): ReadonlyArray<string> => {
  try {
    return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    }).split("\n").filter((file) => file !== "" && Fs.existsSync(Path.join(root, file)))
  } catch {
    const skip = new Set(["node_modules", "build", "dist", ".git", "coverage"])
    const walk = (dir: string): Array<string> =>
      Fs.readdirSync(Path.join(root, dir), { withFileTypes: true }).flatMap((entry) =>
        skip.has(entry.name)
          ? []
          : entry.isDirectory()
          ? walk(Path.join(dir, entry.name))
          : [Path.join(dir, entry.name)]
      )
    return walk("")
  }
}

const isText = (bytes: Buffer): boolean => !bytes.subarray(0, 8000).includes(0)

/** Relative paths that climb (`../x`), wherever they appear: code, config, Markdown links. */
const climbing = /(?:\.\.[/\\])+[^\s"'`()<>[\]{},;]*/g

/**
 * Every reference in `text` (a file at `file`) to a path outside the repository: a relative path
 * that, resolved from the file's folder, leaves the root, or the absolute path of the folder the
 * repository sits in.
 */
const outsideReferences = (file: string, text: string): Array<string> => {
  const found: Array<string> = []
  const parent = Path.dirname(root)
  const lines = text.split("\n")
  lines.forEach((line, index) => {
    const where = `${file}:${index + 1}`
    for (const match of line.matchAll(climbing)) {
      const target = Path.resolve(root, Path.dirname(file), match[0])
      if (Path.relative(root, target).startsWith("..")) found.push(`${where}: ${match[0]}`)
    }
    if (parent !== Path.parse(parent).root && line.includes(`${parent}${Path.sep}`)) {
      found.push(`${where}: an absolute path under ${parent}`)
    }
  })
  return found
}

describe("the repository stands alone", () => {
  it("no file (code, tests, scripts, config, docs) refers to a path outside the repository", () => {
    const all = files()
    assert.isAbove(all.length, 100)
    const found = all.flatMap((file) => {
      const bytes = Fs.readFileSync(Path.join(root, file))
      return isText(bytes) ? outsideReferences(file, bytes.toString("utf8")) : []
    })
    assert.deepStrictEqual(found, [])
  })

  it("the check sees what it is for: a relative path out of the root, and the root's own folder", () => {
    assert.deepStrictEqual(
      outsideReferences("packages/effect3/core/test/x.ts", `read("${"../".repeat(5)}shared/a.txt")`),
      [
        `packages/effect3/core/test/x.ts:1: ${"../".repeat(5)}shared/a.txt`
      ]
    )
    assert.deepStrictEqual(
      outsideReferences("packages/effect3/core/test/x.ts", `read("${"../".repeat(4)}fixtures/a")`),
      []
    )
    assert.lengthOf(outsideReferences("README.md", `see ${Path.join(Path.dirname(root), "elsewhere")}/x`), 1)
  })
})
