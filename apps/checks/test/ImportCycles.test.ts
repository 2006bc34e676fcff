import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..")

/** Every TypeScript source file of the packages and apps (tests are leaves: nothing imports them). */
const sources = (): ReadonlyArray<string> =>
  ["packages", "apps"].flatMap((folder) =>
    Fs.readdirSync(Path.join(root, folder)).flatMap((name) => {
      const src = Path.join(root, folder, name, "src")
      return Fs.existsSync(src) ? walk(src) : []
    })
  )

const walk = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? walk(Path.join(dir, entry.name))
      : entry.name.endsWith(".ts")
      ? [Path.join(dir, entry.name)]
      : []
  )

/** The workspace packages by name, to resolve `@streamguard/<name>/<Module>` to its source. */
const packages = new Map(
  ["packages", "apps"].flatMap((folder) =>
    Fs.readdirSync(Path.join(root, folder)).flatMap((name) => {
      const manifest = Path.join(root, folder, name, "package.json")
      if (!Fs.existsSync(manifest)) return []
      return [[JSON.parse(Fs.readFileSync(manifest, "utf8")).name as string, Path.join(root, folder, name)] as const]
    })
  )
)

/** `import ... from "x"`, `export ... from "x"` (over several lines too) and `import "x"`. */
const specifiers = /(?:^|\n)\s*(?:(?:import|export)\s[^;]*?\sfrom|import)\s+["']([^"']+)["']/g

/** The source files `file` imports (type-only imports included: a cycle of types is a cycle too). */
const importsOf = (file: string): Array<string> =>
  [...Fs.readFileSync(file, "utf8").matchAll(specifiers)].flatMap(([, specifier]) => {
    if (specifier!.startsWith(".")) return [Path.resolve(Path.dirname(file), specifier!.replace(/\.js$/, ".ts"))]
    const match = /^(@streamguard\/[^/]+)(?:\/(.+))?$/.exec(specifier!)
    const dir = match === null ? undefined : packages.get(match[1]!)
    if (dir === undefined) return []
    return [Path.join(dir, "src", `${match![2] ?? "index"}.ts`)]
  }).filter((target) => Fs.existsSync(target))

/** The cycles of the import graph: its strongly connected components with more than one file (Tarjan). */
const cycles = (graph: ReadonlyMap<string, ReadonlyArray<string>>): Array<Array<string>> => {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<Array<string>> = []
  const visit = (node: string): void => {
    index.set(node, counter)
    low.set(node, counter++)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!))
    }
    if (low.get(node) === index.get(node)) {
      const component: Array<string> = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component)
    }
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

describe("imports", () => {
  it("no source file imports itself through others: the module graph has no cycle", () => {
    const files = sources()
    assert.isAbove(files.length, 50)
    const graph = new Map(files.map((file) => [file, importsOf(file)]))
    const found = cycles(graph).map((component) => component.map((file) => Path.relative(root, file)).sort())
    assert.deepStrictEqual(found, [])
  })

  it("the check sees a cycle when there is one", () => {
    const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]])
    assert.deepStrictEqual(cycles(graph).map((component) => [...component].sort()), [["a", "b", "c"]])
  })
})
