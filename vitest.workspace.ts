/**
 * The one list of test projects. `vitest.config.ts` feeds it to `test.projects`
 * (vitest 5 reads no workspace file on its own).
 */
export default [
  "packages/core",
  "packages/protocols",
  "packages/client",
  "packages/simulator",
  "packages/testing",
  "packages/ai",
  "packages/cli",
  "apps/examples",
  "apps/gateway",
  "apps/bench",
  "apps/checks"
]
