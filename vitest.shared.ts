/**
 * What every test project shares: workspace packages resolve to their TypeScript sources (the
 * `@streamguard/source` export condition), so tests run on the code as it is, without a build.
 */
import { defaultServerConditions } from "vite"
import { defineProject, type UserWorkspaceConfig } from "vitest/config"

/** The export condition under which each workspace package maps to its `src/*.ts`. */
export const sourceCondition = "@streamguard/source"

export const project = (name: string, test: NonNullable<UserWorkspaceConfig["test"]> = {}) =>
  defineProject({
    ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions] } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      ...test
    }
  })
