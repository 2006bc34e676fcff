// Lint and format check, as the Effect repo configures it: typescript-eslint for correctness,
// @effect/eslint-plugin's dprint rule for formatting (`npm run lint:fix` applies it).
import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  {
    ignores: ["**/build/**", "**/dist/**", "**/node_modules/**", "**/coverage/**", "**/*.md"]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    languageOptions: {
      globals: { console: "readonly", process: "readonly" }
    },
    rules: {
      "no-console": "error",
      "@effect/no-import-from-barrel-package": ["error", { packageNames: ["effect", "@effect/platform"] }],
      "@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }
      ],
      "@effect/dprint": [
        "error",
        {
          config: {
            indentWidth: 2,
            lineWidth: 120,
            semiColons: "asi",
            quoteStyle: "alwaysDouble",
            trailingCommas: "never",
            operatorPosition: "maintain",
            "arrowFunction.useParentheses": "force"
          }
        }
      ]
    }
  },
  {
    // The barrel import is fine in apps, tests and examples (STYLE.md); packages' src use deep imports.
    files: ["apps/**", "packages/*/examples/**", "**/test/**", "**/vitest.config.ts", "vitest.*.ts"],
    rules: { "@effect/no-import-from-barrel-package": "off" }
  },
  {
    // The kernel is what every Effect line shares: it imports no Effect, of any version.
    files: ["packages/kernel/**"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{
          group: ["effect", "effect/*", "@effect/*"],
          message: "The kernel imports no Effect: it is shared by every Effect line."
        }]
      }]
    }
  },
  {
    // The behavioural suite is written once for every Effect line: it imports no Effect either.
    files: ["packages/behaviour/**"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{
          group: ["effect", "effect/*", "@effect/*"],
          message: "The behavioural suite imports no Effect: every Effect line runs it through its own driver."
        }]
      }]
    }
  },
  {
    // CLIs own their terminal output.
    files: ["apps/**/src/bin/**", "apps/**/src/cli/**", "packages/*/examples/**", "apps/bench/**"],
    rules: { "no-console": "off" }
  }
)
