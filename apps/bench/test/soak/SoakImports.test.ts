/**
 * The soak is a load generator: the same whichever Effect line the gateway runs on. Its processes
 * (the client and its simulator) load no Effect, of either line: only Node, undici and the
 * kernel, which imports no Effect itself (the lint holds the kernel to that).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const soakDir = fileURLToPath(new URL("../../src/soak/", import.meta.url))
const entries = ["main.ts", "sim.ts"].map((file) => Path.join(soakDir, file))

/**
 * The modules a file loads at run time: its imports and re-exports, `import type` and
 * `export type` aside (erased), and dynamic imports of a literal.
 */
const runtimeImports = (file: string): Array<string> => {
  const source = ts.createSourceFile(file, Fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true)
  const found: Array<string> = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && node.importClause?.isTypeOnly !== true) {
      found.push((node.moduleSpecifier as ts.StringLiteral).text)
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier !== undefined) {
      found.push((node.moduleSpecifier as ts.StringLiteral).text)
    } else if (
      ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** Every package the entries load, through the bench's own files, with the file that loads it. */
const packagesLoaded = (): Map<string, string> => {
  const seen = new Set<string>()
  const loaded = new Map<string, string>()
  const queue = [...entries]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith(".")) queue.push(Path.resolve(Path.dirname(file), specifier.replace(/\.js$/, ".ts")))
      else if (!loaded.has(specifier)) loaded.set(specifier, Path.relative(soakDir, file))
    }
  }
  return loaded
}

const effect = /^(effect|@effect\/.+|effect\/.+)$/
// The Effect lines' own packages: every @streamguard package but the kernel is built on one.
const onALine = /^@streamguard\/(?!kernel(\/|$))/

describe("the soak's imports", () => {
  it("load no Effect and no package of an Effect line: only Node, undici and the kernel", () => {
    const loaded = packagesLoaded()
    const wrong = [...loaded].filter(([name]) => effect.test(name) || onALine.test(name))
      .map(([name, by]) => `${name} (by ${by})`)
    assert.deepStrictEqual(wrong, [])
    // Nor anything else, such as the runner's bundler (esbuild), which `Child` imports.
    const other = [...loaded].filter(([name]) => !/^(node:.+|undici|@streamguard\/kernel\/.+)$/.test(name))
      .map(([name, by]) => `${name} (by ${by})`)
    assert.deepStrictEqual(other, [])
    // The walk sees what it is for: the client's undici and the simulator's kernel server.
    assert.isTrue(loaded.has("undici"))
    assert.isTrue(loaded.has("@streamguard/kernel/simulator/SimulatorServer"))
  })
})
