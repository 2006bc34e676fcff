import { assert, describe, it } from "@effect/vitest"
import * as Path from "node:path"
import type { Package } from "./Sources.js"
import { importsOf, packageOf, packages, root, walk } from "./Sources.js"

/**
 * Each workspace package's level. A module may import modules of its own package and of packages
 * at a lower level, never of one at its own level or above: data and calls flow one way, down
 * this table. A new package gets its row here, and the test refuses one that has none.
 */
const packageLevels: Readonly<Record<string, number>> = {
  "@streamguard/kernel": 0,
  // The behavioural suite every line runs: it uses the kernel alone, and only the lines' tests use it.
  "@streamguard/behaviour": 1,
  // Each Effect line's umbrella: its shared dependencies only, no code.
  "@streamguard/effect3-line": 0,
  "@streamguard/effect4-line": 0,
  "@streamguard/core-effect3": 1,
  "@streamguard/protocols-effect3": 2,
  "@streamguard/core": 1,
  "@streamguard/protocols": 2,
  "@streamguard/ai": 3,
  "@streamguard/client-effect3": 3,
  "@streamguard/client": 3,
  "@streamguard/simulator-effect3": 3,
  "@streamguard/simulator": 3,
  "@streamguard/ai-effect3": 3,
  "@streamguard/testing-effect3": 4,
  "@streamguard/testing": 4,
  "@streamguard/cli": 4,
  "@streamguard/gateway": 5,
  "@streamguard/examples-effect3": 5,
  "@streamguard/examples": 5,
  // The bench's subjects, one per line, which the bench loads.
  "@streamguard/bench-effect3": 5,
  "@streamguard/bench-effect4": 5,
  "@streamguard/bench": 6,
  "@streamguard/checks": 6
}

/**
 * Inside a package, the levels of the folders of its `src/` (`.` is `src/` itself; a folder's own
 * `internal/` is part of it), declared the same way: a module may import modules of its own folder
 * and of folders at a lower level. A package listed here must give every folder a level.
 */
const folderLevels: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  "@streamguard/gateway": {
    ".": 6,
    server: 5,
    request: 4,
    telemetry: 3,
    relay: 2,
    admission: 1,
    lifecycle: 1,
    config: 0,
    api: 0
  }
}

/** One import that goes the wrong way. */
interface Upward {
  readonly from: string
  readonly to: string
}

/**
 * The imports from `from` that go up: to a part (a package, or a folder of one) at the same level
 * or higher that is not `from`'s own part. `partOf` names a file's part and its level.
 */
const upward = (
  imports: ReadonlyMap<string, ReadonlyArray<string>>,
  partOf: (file: string) => { readonly part: string; readonly level: number } | undefined
): Array<Upward> =>
  [...imports].flatMap(([from, targets]) => {
    const source = partOf(from)
    if (source === undefined) return []
    return targets.flatMap((to) => {
      const target = partOf(to)
      return target === undefined || target.part === source.part || target.level < source.level ? [] : [{ from, to }]
    })
  })

/** Every TypeScript file of a package, tests aside (they are leaves: they may use any package to test against). */
const filesOf = (pkg: Package): Array<string> =>
  walk(pkg.dir, (name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))

const relative = (found: ReadonlyArray<Upward>) =>
  found.map(({ from, to }) => `${Path.relative(root, from)} -> ${Path.relative(root, to)}`)

/** The folder of a file under `src/`: its first folder, or `.` for a file of `src/` itself. */
const folderOf = (pkg: Package, file: string): string | undefined => {
  const inSrc = Path.relative(Path.join(pkg.dir, "src"), file)
  if (inSrc.startsWith("..")) return undefined
  const parts = inSrc.split(Path.sep)
  return parts.length === 1 ? "." : parts[0]
}

describe("layers", () => {
  it("every workspace package has a level", () => {
    assert.deepStrictEqual([...packages.keys()].filter((name) => packageLevels[name] === undefined), [])
  })

  it("no module imports a package at its own level or above", () => {
    const imports = new Map([...packages.values()].flatMap(filesOf).map((file) => [file, importsOf(file)]))
    assert.isAbove(imports.size, 50)
    const found = upward(imports, (file) => {
      const pkg = packageOf(file)
      return pkg === undefined ? undefined : { part: pkg.name, level: packageLevels[pkg.name]! }
    })
    assert.deepStrictEqual(relative(found), [])
  })

  for (const [name, levels] of Object.entries(folderLevels)) {
    it(`${name}: every folder has a level, and no module imports a folder at its own level or above`, () => {
      const pkg = packages.get(name)!
      const files = filesOf(pkg).filter((file) => folderOf(pkg, file) !== undefined)
      assert.deepStrictEqual(
        [...new Set(files.map((file) => folderOf(pkg, file)!))].filter((f) => levels[f] === undefined),
        []
      )
      const imports = new Map(files.map((file) => [file, importsOf(file)]))
      const found = upward(imports, (file) => {
        const folder = packageOf(file) === pkg ? folderOf(pkg, file) : undefined
        return folder === undefined ? undefined : { part: folder, level: levels[folder]! }
      })
      assert.deepStrictEqual(relative(found), [])
    })
  }

  it("the check sees an import that goes up, or sideways to another part of the same level", () => {
    const levels: Record<string, number> = { low: 0, side: 0, high: 1 }
    const imports = new Map([
      ["high/a", ["low/b", "high/c"]],
      ["low/b", ["high/a"]],
      ["side/d", ["low/b"]],
      ["low/e", ["low/b"]]
    ])
    const partOf = (file: string) => {
      const part = file.split("/")[0]!
      return { part, level: levels[part]! }
    }
    assert.deepStrictEqual(upward(imports, partOf), [{ from: "low/b", to: "high/a" }, { from: "side/d", to: "low/b" }])
  })
})
