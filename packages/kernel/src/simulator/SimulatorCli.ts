/**
 * The simulator as a program, without Effect: its flags, its usage line, the banner it prints, its
 * words when it cannot listen, and `main`, the program itself on the kernel's `SimulatorServer`.
 * Each Effect line's `sim` bin is `main`, and the `streamguard sim` command takes its defaults, port
 * rule, banner and listen error from here, so the three read and answer alike.
 *
 * Flags are read with `node:util` `parseArgs`: two flags and a one-line usage need no command
 * parser, and the program starts without loading one.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import * as ScenarioSpec from "./ScenarioSpec.js"
import * as SimulatorServer from "./SimulatorServer.js"

/**
 * Where the program listens unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults = { port: 8787, host: "127.0.0.1" } as const

/**
 * The program's one-line usage, printed by `--help` and after every bad flag.
 *
 * @since 0.1.0
 * @category constants
 */
export const usage = `usage: sim [--port ${defaults.port}] [--host ${defaults.host}]`

/**
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly port: number
  readonly host: string
}

/**
 * What the command line asks for: run on `flags`, print the usage, or stop with `message` (which
 * ends with the usage).
 *
 * @since 0.1.0
 * @category models
 */
export type Parsed =
  | { readonly _tag: "Run"; readonly flags: Flags }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Invalid"; readonly message: string }

/**
 * Whether `port` is one a server can listen on: an integer from 0 (any free port) to 65535.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isPort = (port: number): boolean => Number.isInteger(port) && port >= 0 && port <= 65535

/**
 * The words for a `--port` that is not a port number.
 *
 * @since 0.1.0
 * @category formatting
 */
export const notAPort = (given: string | number): string => `--port must be a port number, got ${given}`

/**
 * The words for a server that cannot listen: `cause` is Node's error, whose message says why
 * (`listen EADDRINUSE: address already in use ...`, `getaddrinfo ENOTFOUND ...`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const cannotListen = (flags: Flags, cause: unknown): string =>
  `cannot listen on ${flags.host}:${flags.port}: ${cause instanceof Error ? cause.message : String(cause)}`

// Decimal digits only: `Number` would read "" as 0 (any port) and "0x50" as 80.
const portOf = (text: string): number | undefined => {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN
  return isPort(port) ? port : undefined
}

const invalid = (message: string): Parsed => ({ _tag: "Invalid", message: `${message}\n${usage}` })

/**
 * Reads the program's arguments (without `node` and the script): `--port`/`-p`, `--host`,
 * `--help`/`-h`. An unknown flag, a positional argument or a bad port is `Invalid`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (args: ReadonlyArray<string>): Parsed => {
  let values: { readonly port: string; readonly host: string; readonly help: boolean }
  try {
    values = parseArgs({
      args: [...args],
      options: {
        port: { type: "string", short: "p", default: String(defaults.port) },
        host: { type: "string", default: defaults.host },
        help: { type: "boolean", short: "h", default: false }
      }
    }).values
  } catch (cause) {
    return invalid(String(cause))
  }
  if (values.help) return { _tag: "Help" }
  const port = portOf(values.port)
  return port === undefined ? invalid(notAPort(values.port)) : { _tag: "Run", flags: { port, host: values.host } }
}

/**
 * A `curl` that streams from the simulator at `url`: the example the program's banner ends with.
 *
 * @since 0.1.0
 * @category formatting
 */
export const curlExample = (url: string): string =>
  `  curl -N ${url}/v1/chat/completions -H 'content-type: application/json' \\
    -d '{"model":"sim:steady?chunks=40&gap=150ms","stream":true,"messages":[{"role":"user","content":"hi"}]}'`

/**
 * What a running simulator at `url` prints: its routes, its scenarios, and `example` (indented
 * lines) to try.
 *
 * @since 0.1.0
 * @category formatting
 */
export const banner = (url: string, example: string = curlExample(url)): string =>
  `StreamGuard upstream simulator on ${url}
  OpenAI Chat   POST ${url}/v1/chat/completions
  Responses     POST ${url}/v1/responses
  Anthropic     POST ${url}/v1/messages
  Ollama        POST ${url}/api/chat
  MCP           POST ${url}/mcp
  Records       GET  ${url}/_sim/requests
Scenarios (model "sim:<name>?param=value" or header x-sim-scenario): ${ScenarioSpec.names.join(", ")}
Try:
${example}`

/**
 * Where `run` writes and what stops it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Io {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  /** Settles when the program is to stop (Ctrl-C). */
  readonly stopped: Promise<void>
}

/**
 * The program: reads `args`, serves until `io.stopped` settles, then closes every connection.
 * Resolves with the exit code: 0 after `--help`, 1 for a bad flag or a server that cannot listen,
 * 130 (as for Ctrl-C) once stopped.
 *
 * @since 0.1.0
 * @category running
 */
export const run = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const parsed = parse(args)
  if (parsed._tag === "Help") {
    io.out(usage)
    return 0
  }
  if (parsed._tag === "Invalid") {
    io.err(parsed.message)
    return 1
  }
  let server: SimulatorServer.SimulatorServer
  try {
    server = await SimulatorServer.start(parsed.flags)
  } catch (cause) {
    io.err(cannotListen(parsed.flags, cause))
    return 1
  }
  io.out(banner(server.url))
  await io.stopped
  await server.close()
  return 130
}

/**
 * `run` as this process: its arguments, its stdout and stderr, stopped by SIGINT or SIGTERM; exits
 * with `run`'s code.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (): void => {
  const stopped = new Promise<void>((resolve) => {
    process.on("SIGINT", () => resolve())
    process.on("SIGTERM", () => resolve())
  })
  const io: Io = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    stopped
  }
  void run(process.argv.slice(2), io).then((code) => process.exit(code))
}
