import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))

describe("README", () => {
  it("the example of \"Testing your code's timeouts\" is test/ReadmeExample.test.ts, character for character", () => {
    const readme = fs.readFileSync(path.join(here, "../README.md"), "utf8")
    const section = readme.slice(readme.indexOf("## Testing your code's timeouts"))
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
    assert.strictEqual(block, fs.readFileSync(path.join(here, "ReadmeExample.test.ts"), "utf8"))
  })
})
