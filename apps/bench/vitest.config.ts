import { project } from "../../vitest.shared.js"

// The smoke run spawns the simulator, the gateway and one child per scenario: seconds, not milliseconds.
export default project("bench", { testTimeout: 120_000 })
