import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import ts from "typescript"
import { packages, root, walk } from "./Sources.js"

/** The most lines a function may span. */
const limit = 80

/**
 * Every function of `text` longer than `limit` lines, with its first line and its length. A
 * function is measured whole, from the line it starts on to the line it ends on, the functions
 * inside it included: a service built in one `Effect.gen` is one function however many closures
 * it holds. Every kind counts: declarations, expressions, arrows, methods, accessors, constructors.
 *
 * Tables are no exemption, because a table is never a function: a table is a value (an object or
 * array literal, such as the gateway's settings), and values are not measured; a function that
 * builds one is.
 */
const longFunctions = (file: string, text: string): Array<string> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: Array<string> = []
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line
      const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - first + 1
      if (lines > limit) found.push(`${file}:${first + 1}: ${lines} lines`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** Every file of code in the packages and apps, tests aside. */
const code = (): Array<string> =>
  [...packages.values()].flatMap((pkg) =>
    walk(pkg.dir, (name) => /\.(?:ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith(".d.ts"))
  )

describe("functions", () => {
  it(`no function of the packages and apps, tests aside, spans more than ${limit} lines`, () => {
    const files = code()
    assert.isAbove(files.length, 100)
    const found = files.flatMap((file) => longFunctions(Path.relative(root, file), Fs.readFileSync(file, "utf8")))
    assert.deepStrictEqual(found, [])
  })

  it("the check sees a long function, nested or not, and lets a long table be", () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  step(${i})`).join("\n")
    const text = [
      `export function long() {\n${body(80)}\n}`,
      `export const fits = () => {\n${body(78)}\n}`,
      `export const outer = { make: () => [\n  () => {\n${body(80)}\n  }\n] }`,
      `export const table = {\n${Array.from({ length: 100 }, (_, i) => `  key${i}: ${i},`).join("\n")}\n}`
    ].join("\n")
    assert.deepStrictEqual(longFunctions("x.ts", text), [
      "x.ts:1: 82 lines",
      "x.ts:163: 84 lines",
      "x.ts:164: 82 lines"
    ])
  })
})
