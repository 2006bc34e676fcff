/**
 * The no-leak check of a test file, for any line: after its last test, no socket, server or
 * timer beyond those alive before its first test (the test runner has some of its own).
 *
 * @since 0.1.0
 */
import { afterAll, assert, beforeAll } from "vitest"

const resources = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) {
    if (r === "TCPSocketWrap" || r === "TCPServerWrap" || r === "Timeout") counts[r] = (counts[r] ?? 0) + 1
  }
  return counts
}

/**
 * Registers the check; `dispose` releases what the file holds for all its tests first.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkNoLeaks = (dispose: () => Promise<void> = async () => {}): void => {
  let before: Record<string, number> = {}
  beforeAll(() => {
    before = resources()
  })
  afterAll(async () => {
    await dispose()
    // Node releases a closed handle on a later turn of the event loop: a short bounded wait.
    const leaked = () => Object.entries(resources()).filter(([kind, n]) => n > (before[kind] ?? 0))
    for (let waited = 0; waited < 1000 && leaked().length > 0; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    assert.deepStrictEqual(leaked(), [])
  })
}
