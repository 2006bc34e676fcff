/**
 * What every test project shares: workspace packages resolve to their TypeScript sources (the
 * `@streamguard/source` export condition), so tests run on the code as it is, without a build.
 */
import { defaultServerConditions } from "vite"
import { defineProject, type UserWorkspaceConfig } from "vitest/config"

/** The export condition under which each workspace package maps to its `src/*.ts`. */
export const sourceCondition = "@streamguard/source"

/**
 * Vite's server conditions but `module`, as vitest's own default has them: vitest runs dependencies on
 * Node itself, which knows no `module` condition, and a package's `module` build is not always valid
 * ESM for Node (@opentelemetry/api's imports `./baggage/utils`, with no extension). Tests then load
 * the same files as `npm start` and the image.
 */
const serverConditions = defaultServerConditions.filter((condition) => condition !== "module")

export const project = (name: string, test: NonNullable<UserWorkspaceConfig["test"]> = {}) =>
  defineProject({
    ssr: { resolve: { conditions: [sourceCondition, ...serverConditions] } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      ...test
    }
  })
