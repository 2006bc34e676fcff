import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { packageOf, packages, root, walk } from "./Sources.js"

/**
 * Each Effect line keeps one copy of its Effect packages. Two copies of one version still run, but
 * TypeScript then sees two `effect`s whose types only match while the versions are equal, and two
 * copies in one process register their own globals (the gateway's /metrics listed Effect's fiber
 * metrics twice). npm installs a second copy silently when a package pins another version than its
 * line's, so the lockfile and the pins are checked here.
 */
const readJson = (path: string) => JSON.parse(Fs.readFileSync(Path.join(root, path), "utf8"))
const lock = readJson("package-lock.json") as { readonly packages: Record<string, { readonly version?: string }> }

/** The packages whose types cross StreamGuard's own API, so whose copies must not multiply. */
const shared = (name: string) => name === "effect" || name.startsWith("@effect/") || name === "undici"

/** A version's major, or its minor below 1.0 (where npm's caret treats the minor as the major). */
const majorOf = (version: string) =>
  version.startsWith("0.") ? version.split(".").slice(0, 2).join(".") : version.split(".")[0]

describe("the Effect lines' dependencies", () => {
  it("hold one copy per major of effect, each @effect package and undici", () => {
    const copies = new Map<string, Array<string>>()
    for (const [path, { version }] of Object.entries(lock.packages)) {
      const name = path.split("node_modules/").at(-1)!
      if (!path.includes("node_modules/") || version === undefined || !shared(name)) continue
      const key = `${name}@${majorOf(version)}`
      copies.set(key, [...(copies.get(key) ?? []), `${path}@${version}`])
    }
    const doubled = [...copies.values()].filter((paths) => paths.length > 1)
    assert.deepStrictEqual(doubled, [])
  })

  it("pin what their line's folder pins", () => {
    const workspaces = readJson("package.json").workspaces as Array<string>
    for (const line of ["packages/effect3", "packages/effect4"]) {
      const pins = readJson(`${line}/package.json`).devDependencies as Record<string, string>
      for (const workspace of workspaces.filter((folder) => folder.startsWith(`${line}/`))) {
        const manifest = readJson(`${workspace}/package.json`)
        const declared = { ...manifest.dependencies, ...manifest.devDependencies } as Record<string, string>
        for (const [name, version] of Object.entries(declared)) {
          if (name in pins) {
            assert.strictEqual(`${workspace}: ${name}@${version}`, `${workspace}: ${name}@${pins[name]}`)
          }
        }
      }
    }
  })

  it("are kept apart: no file of one line imports the other line's packages", () => {
    // What only the Effect 3 line has: its suffixed packages and @effect/platform (Effect 4's HTTP
    // modules are inside `effect`). The root's node_modules hold the Effect 3 set, so from a file of
    // the Effect 4 line such an import still resolves, and runs on the other `effect`.
    const effect3Only = /(?:from|import)\s*\(?\s*["'](@streamguard\/[a-z]+-effect3|@effect\/platform)(\/[^"']*)?["']/
    const effect4Names = [...packages.keys()].filter((name) =>
      packages.get(name)!.dir.startsWith(Path.join(root, "packages/effect4/"))
    )
    const effect4Only = new RegExp(
      `(?:from|import)\\s*\\(?\\s*["'](${
        effect4Names.map((name) => name.replace("/", "\\/")).join("|")
      })(\\/[^"']*)?["']`
    )
    const crossing = (line: string, other: RegExp) =>
      [...packages.values()]
        .filter((pkg) => pkg.dir.startsWith(Path.join(root, line) + Path.sep))
        .flatMap((pkg) => walk(pkg.dir, (name) => name.endsWith(".ts") && !name.endsWith(".d.ts")))
        .filter((file) => packageOf(file) !== undefined && other.test(Fs.readFileSync(file, "utf8")))
        .map((file) => Path.relative(root, file))
    assert.isAbove(effect4Names.length, 3)
    assert.deepStrictEqual(crossing("packages/effect4", effect3Only), [])
    assert.deepStrictEqual(crossing("packages/effect3", effect4Only), [])
    assert.isTrue(effect3Only.test(`import * as TimeoutError from "@streamguard/core-effect3/TimeoutError"`))
    assert.isTrue(effect4Only.test(`import { Guard } from "@streamguard/core"`))
    assert.isFalse(effect4Only.test(`import { Guard } from "@streamguard/core-effect3"`))
  })
})
