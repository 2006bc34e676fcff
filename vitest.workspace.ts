/**
 * The one list of test projects. `vitest.config.ts` feeds it to `test.projects`
 * (vitest 5 reads no workspace file on its own).
 */
export default [
  "packages/kernel",
  "packages/behaviour",
  "packages/effect3/core",
  "packages/effect3/protocols",
  "packages/effect3/client",
  "packages/effect3/simulator",
  "packages/effect3/testing",
  "packages/effect3/ai",
  "packages/effect4/core",
  "packages/effect4/protocols",
  "packages/effect4/client",
  "packages/effect4/ai",
  "packages/effect4/simulator",
  "packages/effect4/testing",
  "packages/effect4/examples",
  "packages/cli",
  "packages/effect3/examples",
  "apps/gateway",
  "apps/bench",
  "apps/checks"
]
