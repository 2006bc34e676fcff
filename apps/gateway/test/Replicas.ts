/**
 * Gateway replicas as separate processes (`npm start`, each with its own embedded simulator), and
 * the programs they run beside: a `redis-server` and an `nginx` on free loopback ports, each
 * stopped when the test's scope closes.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

/** The path of `program` on PATH (and the sbin folders, where Debian puts nginx), if installed. */
export const which = (program: string): string | undefined =>
  [...(process.env["PATH"] ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/local/sbin"]
    .map((folder) => join(folder, program))
    .find((path) => {
      try {
        accessSync(path, constants.X_OK)
        return true
      } catch {
        return false
      }
    })

/** A port free right now on 127.0.0.1 (the kernel picks it; the caller binds it next). */
export const freePort: Effect.Effect<number> = Effect.callback((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A temporary folder for the scope. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "streamguard-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

export interface Child {
  readonly process: ChildProcess
  /** Everything it wrote so far, stdout then stderr interleaved as they came. */
  readonly output: () => string
  /** Resolves with its exit code once it exited. */
  readonly exited: Effect.Effect<number | null>
}

/**
 * Starts `command` for the scope (SIGKILL at the end if still running) and
 * keeps what it writes.
 */
export const start = (
  command: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  /** How it is stopped: nginx's workers outlive a master killed outright, so it gets SIGTERM. */
  stopWith: "SIGKILL" | "SIGTERM" = "SIGKILL"
): Effect.Effect<Child, never, Scope.Scope> =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })),
      (child) =>
        child.exitCode !== null || child.signalCode !== null ? Effect.void : Effect.callback<void>((resume) => {
          child.once("exit", () => resume(Effect.void))
          child.kill(stopWith)
        }).pipe(
          Effect.timeoutOrElse({ duration: "5 seconds", orElse: () => Effect.sync(() => child.kill("SIGKILL")) })
        )
    )
    let output = ""
    const onData = (data: Buffer) => {
      output += data.toString()
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const exited = Effect.promise(() => exit)
    return { process: child, output: () => output, exited }
  })

/**
 * The first match of `pattern` in what `child` writes, as soon as it is written, failing if the
 * child exits first or nothing matches within 20 s.
 */
export const awaitOutput = (child: Child, pattern: RegExp): Effect.Effect<RegExpMatchArray, string> =>
  Effect.raceFirst(
    Effect.callback<RegExpMatchArray>((resume) => {
      const check = () => {
        const found = child.output().match(pattern)
        if (found !== null) resume(Effect.succeed(found))
      }
      child.process.stdout!.on("data", check)
      child.process.stderr!.on("data", check)
      check()
      return Effect.sync(() => {
        child.process.stdout!.off("data", check)
        child.process.stderr!.off("data", check)
      })
    }),
    Effect.flatMap(
      child.exited,
      (code) => Effect.fail(`exited (${code}) before writing ${pattern}:\n${child.output()}`)
    )
  ).pipe(
    Effect.timeoutOrElse({
      duration: "20 seconds",
      orElse: () => Effect.fail(`no ${pattern} within 20 s:\n${child.output()}`)
    })
  )

/** A `redis-server` on a free loopback port, persisting nothing. */
export const redis = Effect.gen(function*() {
  const port = yield* freePort
  const child = yield* start(
    which("redis-server")!,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
  )
  yield* awaitOutput(child, /Ready to accept connections/)
  return { ...child, url: `redis://127.0.0.1:${port}` }
})

/**
 * A gateway process as `npm start` runs it, on a free port, its embedded simulator as upstream,
 * with `config` as its config file.
 */
export const gateway = (config: Record<string, unknown>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const file = join(dir, "gateway.json")
    writeFileSync(file, JSON.stringify(config))
    const child = yield* start(
      process.execPath,
      ["--conditions=@streamguard/source", "--import", "tsx", main],
      { PORT: "0", SIM_PORT: "0", HOST: "127.0.0.1", STREAMGUARD_CONFIG: file, ...env }
    )
    const [, port] = yield* awaitOutput(child, /streamguard gateway: http:\/\/127\.0\.0\.1:(\d+)/)
    return { ...child, port: Number(port), url: `http://127.0.0.1:${port}` }
  })

/** Resolves once `file` exists in `dir`, watching the folder (no polling). */
const fileAppears = (dir: string, file: string): Effect.Effect<void, string> =>
  Effect.callback<void, string>((resume) => {
    const watcher = watch(dir, () => {
      if (existsSync(join(dir, file))) resume(Effect.void)
    })
    if (existsSync(join(dir, file))) resume(Effect.void)
    return Effect.sync(() => watcher.close())
  }).pipe(
    Effect.timeoutOrElse({ duration: "20 seconds", orElse: () => Effect.fail(`${file} did not appear within 20 s`) })
  )

/**
 * nginx in the foreground on a free port in front of `replicas`: deploy/nginx's config with the
 * ports rendered in, its logs and temporary files in a folder of the scope. Ready once its pid
 * file exists (nginx writes it after it opened its listening socket).
 */
export const nginx = (replicas: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const port = yield* freePort
    let next = 0
    const site = readFileSync(fileURLToPath(new URL("../../../deploy/nginx/streamguard.conf", import.meta.url)), "utf8")
      .replace(/server streamguard-\d+:8080/g, () => `server 127.0.0.1:${replicas[next++]}`)
      .replace("listen 80;", `listen 127.0.0.1:${port};`)
    const conf = join(dir, "nginx.conf")
    writeFileSync(
      conf,
      [
        "daemon off;",
        `pid ${join(dir, "nginx.pid")};`,
        `error_log ${join(dir, "error.log")} warn;`,
        "worker_processes 1;",
        "events { worker_connections 4096; }",
        "http {",
        "  access_log off;",
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) =>
          `  ${kind}_temp_path ${join(dir, kind)};`
        ),
        site,
        "}"
      ].join("\n")
    )
    const child = yield* start(which("nginx")!, ["-c", conf, "-e", join(dir, "error.log")], {}, "SIGTERM")
    yield* Effect.raceFirst(
      fileAppears(dir, "nginx.pid"),
      Effect.flatMap(child.exited, (code) => Effect.fail(`nginx exited (${code}):\n${child.output()}`))
    )
    return { ...child, url: `http://127.0.0.1:${port}` }
  })
