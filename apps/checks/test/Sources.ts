/**
 * The repository's own TypeScript, as the checks read it: the workspace packages, their source
 * files (tests aside), and which files each one imports.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root. */
export const root = Path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..")

/** The workspace folders, as the root manifest lists them (`apps/*` is every folder of `apps`). */
const workspaces: ReadonlyArray<string> = (JSON.parse(Fs.readFileSync(Path.join(root, "package.json"), "utf8")) as {
  readonly workspaces: ReadonlyArray<string>
}).workspaces.flatMap((entry) =>
  entry.endsWith("/*")
    ? Fs.readdirSync(Path.join(root, entry.slice(0, -2))).map((name) => `${entry.slice(0, -2)}/${name}`)
    : [entry]
)

/** What a walk never enters: installed, built and generated files, and the tests. */
const skipped = new Set(["node_modules", "build", "dist", "coverage", "test"])

/** Every file under `dir` whose name `keep` accepts, skipped folders aside. */
export const walk = (dir: string, keep: (name: string) => boolean): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? skipped.has(entry.name) ? [] : walk(Path.join(dir, entry.name), keep)
      : keep(entry.name)
      ? [Path.join(dir, entry.name)]
      : []
  )

/** A workspace package: its name and its folder. */
export interface Package {
  readonly name: string
  readonly dir: string
}

/** Every workspace package, by name. */
export const packages: ReadonlyMap<string, Package> = new Map(
  workspaces.flatMap((folder) => {
    const manifest = Path.join(root, folder, "package.json")
    if (!Fs.existsSync(manifest)) return []
    const pkg = { name: JSON.parse(Fs.readFileSync(manifest, "utf8")).name as string, dir: Path.join(root, folder) }
    return [[pkg.name, pkg] as const]
  })
)

/** The package a file belongs to, if any. */
export const packageOf = (file: string): Package | undefined =>
  // The innermost: a workspace may sit inside another's folder (the Effect 3 line's, under its umbrella).
  [...packages.values()].filter((pkg) => file.startsWith(`${pkg.dir}${Path.sep}`))
    .sort((a, b) => b.dir.length - a.dir.length)[0]

/** Every TypeScript source file of the packages' `src/` folders (tests are leaves: nothing imports them). */
export const sources = (): ReadonlyArray<string> =>
  [...packages.values()].flatMap((pkg) => {
    const src = Path.join(pkg.dir, "src")
    return Fs.existsSync(src) ? walk(src, (name) => name.endsWith(".ts")) : []
  })

/**
 * `import ... from "x"`, `export ... from "x"` (over several lines too), `import "x"`, and a
 * dynamic `import("x")` of a literal.
 */
const specifiers = /(?:(?:^|\n)\s*(?:(?:import|export)\s[^;]*?\sfrom|import)\s+|\bimport\(\s*)["']([^"']+)["']/g

/**
 * The source files `file` imports (type-only imports included: a cycle of types is a cycle too,
 * and a type from above is an import from above): a relative path as it resolves,
 * `@streamguard/<name>/<Module>` as that package's `src/<Module>.ts`. Other packages are left out.
 */
export const importsOf = (file: string): Array<string> =>
  [...Fs.readFileSync(file, "utf8").matchAll(specifiers)].flatMap(([, specifier]) => {
    if (specifier!.startsWith(".")) return [Path.resolve(Path.dirname(file), specifier!.replace(/\.js$/, ".ts"))]
    const match = /^(@streamguard\/[^/]+)(?:\/(.+))?$/.exec(specifier!)
    const pkg = match === null ? undefined : packages.get(match[1]!)
    if (pkg === undefined) return []
    return [Path.join(pkg.dir, "src", `${match![2] ?? "index"}.ts`)]
  }).filter((target) => Fs.existsSync(target))
