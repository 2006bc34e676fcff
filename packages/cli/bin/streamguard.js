#!/usr/bin/env node
// The `streamguard` command. Installed from the registry (this file inside a node_modules folder),
// it runs the built `dist`. In a checkout of the repository it runs the TypeScript sources
// through tsx under the `@streamguard/source` condition, as the root's scripts do, so
// `npx streamguard` needs no build and never runs a stale one.
import { spawn } from "node:child_process"
import { existsSync, realpathSync } from "node:fs"
import { dirname, join, sep } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const packageDir = dirname(dirname(realpathSync(fileURLToPath(import.meta.url))))
const installed = packageDir.split(sep).includes("node_modules")
const sources = join(packageDir, "src", "bin", "main.ts")

const tsxLoader = () => {
  try {
    return import.meta.resolve("tsx")
  } catch {
    return undefined
  }
}

const loader = installed || !existsSync(sources) ? undefined : tsxLoader()

if (loader === undefined) {
  await import(pathToFileURL(join(packageDir, "dist", "bin", "main.js")).href)
} else {
  const child = spawn(
    process.execPath,
    ["--import", loader, "--conditions=@streamguard/source", sources, ...process.argv.slice(2)],
    { stdio: "inherit" }
  )
  // Ctrl-C reaches the child through the terminal's process group; this process waits for its exit.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal))
  }
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal === null ? 1 : 128)
  })
}
