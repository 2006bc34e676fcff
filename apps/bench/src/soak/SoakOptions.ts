/**
 * The soak's flags (`npm run soak -- --streams 2000 --minutes 5`), read with `node:util`
 * `parseArgs` as the bench's are, with small defaults: a minute of 100 streams.
 *
 * @since 0.1.0
 */
import * as Durations from "@streamguard/kernel/Durations"
import { parseArgs } from "node:util"

/**
 * @since 0.1.0
 * @category models
 */
export interface SoakOptions {
  /** Long, mostly idle streams held open at once (reopened as they end). */
  readonly streams: number
  /** How long the load runs, before the closing checks. */
  readonly durationMillis: number
  /** Long streams opened per second, at the start and when reopening. */
  readonly rampPerSecond: number
  /** Long streams waiting for their headers at once, at most (the ramp slows to the gateway's pace). */
  readonly rampWindow: number
  /**
   * After the ramp, how long the gateway warms up before its RSS is judged (default: one long
   * stream's life, so every stream has been opened, run to its end and reopened once).
   */
  readonly warmupMillis: number
  /** Short streams started per second, across the three endpoints. */
  readonly steadyPerSecond: number
  /** One table line (and one gateway sample) every this often. */
  readonly sampleMillis: number
  /** Content chunks of a long stream, and the gap before each (below the profile's `chunk` limit). */
  readonly longChunks: number
  readonly longGapMillis: number
  /** The simulator's keepalives during a long stream's gaps. */
  readonly longKeepaliveMillis: number
  /** Content chunks of a short stream, and the gap before each. */
  readonly steadyChunks: number
  readonly steadyGapMillis: number
  /** The gateway's admission limit (`STREAMGUARD_MAX_CONCURRENT_STREAMS`). */
  readonly maxConcurrentStreams: number
  /** Where the JSON report goes, if anywhere. */
  readonly json: string | undefined
  /** Where the gateway's JSON log lines go (by default nowhere). */
  readonly gatewayLog: string | undefined
  /**
   * A shell command that runs the gateway in the process it starts (PORT, HOST and
   * STREAMGUARD_CONFIG come in its environment); by default the soak builds the gateway as the
   * image does and runs `node apps/gateway/dist/main.js`.
   */
  readonly gatewayCommand: string | undefined
}

/**
 * Long streams opened per second by default: what one gateway process admits on a shared 2-core
 * machine while its short streams keep a first chunk within a few hundred milliseconds (measured;
 * apps/bench/README.md#soak).
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRamp = 100

/**
 * Long streams awaiting their headers at once by default.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultRampWindow = 64

/**
 * @since 0.1.0
 * @category usage
 */
export const usage = `usage: npm run soak -- [--streams N] [--minutes M] [--ramp N/s] [--steady N/s] [--json FILE]
  --streams N            long, mostly idle streams held open (default 100)
  --minutes M            how long the load runs (default 1; fractions allowed)
  --ramp N               long streams opened per second, at most (default ${defaultRamp})
  --ramp-window N        long streams awaiting their headers at once, at most (default ${defaultRampWindow})
  --warmup D             after the ramp, time before RSS is judged (default: long chunks x long gap)
  --steady N             short streams per second across the three endpoints (default 20)
  --sample D             sampling interval (default 10s)
  --long-chunks N        content chunks of a long stream (default 5)
  --long-gap D           gap before each of them (default 20s: below the chat profile's 30 s chunk limit)
  --long-keepalive D     the simulator's keepalives during those gaps (default 10s)
  --steady-chunks N      content chunks of a short stream (default 20)
  --steady-gap D         gap before each of them (default 20ms)
  --max-concurrent N     the gateway's admission limit (default: streams + 50 per steady stream/s + 100)
  --json FILE            also write the report as JSON
  --gateway-log FILE     keep the gateway's log lines
  --gateway-command CMD  run the gateway with this shell command instead of building it and running
                         node apps/gateway/dist/main.js (it must run the gateway in the process it
                         starts, e.g. "node --conditions=@streamguard/source --import tsx apps/gateway/src/main.ts")
Durations: 20s, 500ms, 2m or milliseconds.`

/**
 * A flag could not be read: the message names it.
 *
 * @since 0.1.0
 * @category errors
 */
export class SoakOptionsError extends Error {}

const count = (name: string, text: string | undefined, fallback: number, min = 0): number => {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value < min) {
    throw new SoakOptionsError(`--${name} must be a number >= ${min}, got ${text}`)
  }
  return value
}

const millis = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback
  const value = Durations.parse(text)
  if (value === undefined) throw new SoakOptionsError(`--${name} must be a duration (20s, 500ms, 2m), got ${text}`)
  return value
}

/**
 * Reads the flags; `"help"` when `--help` was asked for. Throws `SoakOptionsError` on a bad one.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (args: ReadonlyArray<string>): SoakOptions | "help" => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      streams: { type: "string" },
      minutes: { type: "string" },
      ramp: { type: "string" },
      "ramp-window": { type: "string" },
      warmup: { type: "string" },
      steady: { type: "string" },
      sample: { type: "string" },
      "long-chunks": { type: "string" },
      "long-gap": { type: "string" },
      "long-keepalive": { type: "string" },
      "steady-chunks": { type: "string" },
      "steady-gap": { type: "string" },
      "max-concurrent": { type: "string" },
      json: { type: "string" },
      "gateway-log": { type: "string" },
      "gateway-command": { type: "string" },
      help: { type: "boolean", short: "h", default: false }
    }
  })
  if (values.help === true) return "help"
  const streams = Math.floor(count("streams", values.streams, 100))
  const steadyPerSecond = count("steady", values.steady, 20)
  const longChunks = Math.floor(count("long-chunks", values["long-chunks"], 5, 1))
  const longGapMillis = millis("long-gap", values["long-gap"], 20_000)
  return {
    streams,
    durationMillis: count("minutes", values.minutes, 1) * 60_000,
    rampPerSecond: count("ramp", values.ramp, defaultRamp, 1),
    rampWindow: Math.floor(count("ramp-window", values["ramp-window"], defaultRampWindow, 1)),
    warmupMillis: millis("warmup", values.warmup, longChunks * longGapMillis),
    steadyPerSecond,
    sampleMillis: Math.max(1000, millis("sample", values.sample, 10_000)),
    longChunks,
    longGapMillis,
    longKeepaliveMillis: millis("long-keepalive", values["long-keepalive"], 10_000),
    steadyChunks: Math.floor(count("steady-chunks", values["steady-chunks"], 20, 1)),
    steadyGapMillis: millis("steady-gap", values["steady-gap"], 20),
    // Short streams live about a second; 50 per stream per second leaves room for a slow gateway.
    maxConcurrentStreams: Math.floor(
      count("max-concurrent", values["max-concurrent"], streams + Math.ceil(steadyPerSecond * 50) + 100, 1)
    ),
    json: values.json,
    gatewayLog: values["gateway-log"],
    gatewayCommand: values["gateway-command"]
  }
}
