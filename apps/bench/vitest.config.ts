import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "bench",
    include: ["test/**/*.test.ts"],
    // The smoke run spawns the simulator, the gateway and one child per scenario: seconds, not milliseconds.
    testTimeout: 120_000
  }
})
