import { assert, describe, it } from "@effect/vitest"
import * as Path from "node:path"
import { importsOf, root, sources } from "./Sources.js"

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
