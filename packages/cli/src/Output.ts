/**
 * Where the command writes: lines on stdout, a status line redrawn in place on a terminal, errors
 * on stderr, and colours only where they are wanted (a TTY, no `--no-color`, no `NO_COLOR`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"

/**
 * @since 0.1.0
 * @category models
 */
export type Style = "dim" | "bold" | "red" | "green" | "yellow" | "cyan" | "magenta"

const codes: Record<Style, readonly [number, number]> = {
  dim: [2, 22],
  bold: [1, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  magenta: [35, 39]
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** A terminal: the status line is drawn and redrawn in place. */
  readonly live: boolean
  readonly color: boolean
  /** One line on stdout (above the status line, on a terminal). */
  readonly line: (text: string) => Effect.Effect<void>
  /** Replaces the status line; nothing when not live. */
  readonly status: (text: string) => Effect.Effect<void>
  /** One line on stderr. */
  readonly error: (text: string) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Output extends Context.Service<Output, Service>()("@streamguard/cli/Output") {}

/**
 * `text` in `style` when the output has colour, else as is.
 *
 * @since 0.1.0
 * @category formatting
 */
export const paint = (output: Service, style: Style, text: string): string =>
  output.color ? `\x1b[${codes[style][0]}m${text}\x1b[${codes[style][1]}m` : text

/**
 * @since 0.1.0
 * @category models
 */
export interface Sinks {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly tty: boolean
  readonly color: boolean
}

/**
 * An output writing to `sinks`. On a terminal the status line is the last line: a line is
 * written over it and the status drawn again below.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (sinks: Sinks): Service => {
  let status = ""
  const clear = "\r\x1b[2K"
  return {
    live: sinks.tty,
    color: sinks.color,
    line: (text) =>
      Effect.sync(() => {
        sinks.stdout(sinks.tty && status !== "" ? `${clear}${text}\n${status}` : `${text}\n`)
      }),
    status: (text) =>
      Effect.sync(() => {
        if (!sinks.tty) return
        status = text
        sinks.stdout(`${clear}${text}`)
      }),
    error: (text) =>
      Effect.sync(() => {
        if (sinks.tty && status !== "") {
          sinks.stdout(clear)
          status = ""
        }
        sinks.stderr(`${text}\n`)
      })
  }
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (sinks: Sinks): Layer.Layer<Output> => Layer.sync(Output, () => make(sinks))

/**
 * Runs `effect` with colour off (`--no-color`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withoutColor = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Output> =>
  Effect.updateService(effect, Output, (output) => ({ ...output, color: false }))

/**
 * What a test output captured.
 *
 * @since 0.1.0
 * @category models
 */
export interface Captured {
  readonly stdout: Effect.Effect<string>
  readonly stderr: Effect.Effect<string>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Capture extends Context.Service<Capture, Captured>()("@streamguard/cli/Output/Capture") {}

/**
 * An output that keeps what is written, for tests: piped (no status line), with `color` as given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest = (options: { readonly color?: boolean; readonly tty?: boolean } = {}): Layer.Layer<
  Output | Capture
> =>
  Layer.effectContext(Effect.gen(function*() {
    const out = yield* Ref.make("")
    const err = yield* Ref.make("")
    const service = make({
      stdout: (text) => Effect.runSync(Ref.update(out, (all) => all + text)),
      stderr: (text) => Effect.runSync(Ref.update(err, (all) => all + text)),
      tty: options.tty ?? false,
      color: options.color ?? false
    })
    return Context.make(Output, service).pipe(Context.add(Capture, { stdout: Ref.get(out), stderr: Ref.get(err) }))
  }))
