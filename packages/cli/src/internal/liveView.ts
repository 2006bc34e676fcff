/**
 * The timeline as it happens: a line per step of every run, and on a terminal a status line
 * below them counting the runs done, running and stalled.
 */
import * as Effect from "effect/Effect"
import type * as Output from "../Output.js"
import * as Summary from "../Summary.js"
import * as TextReport from "../TextReport.js"
import type * as Timeline from "../Timeline.js"

/** The listener of every step; `quiet` prints nothing (the `--json` output is the document alone). */
export const make = (
  output: Output.Service,
  total: number,
  quiet: boolean
): (step: Timeline.Step) => Effect.Effect<void> => {
  if (quiet) return () => Effect.void
  let started = 0
  let done = 0
  let stalled = 0
  const status = () =>
    output.status(`${done}/${total} runs done, ${started - done} running${stalled > 0 ? `, ${stalled} stalled` : ""}`)
  return (step) =>
    Effect.suspend(() => {
      if (step._tag === "Started") started++
      if (step._tag === "Ended") {
        done++
        if (Summary.isStall(step.result)) stalled++
      }
      const line = TextReport.step(output, step)
      return Effect.andThen(line === undefined ? Effect.void : output.line(line), status())
    })
}

/** Clears the status line once every run ended. */
export const finish = (output: Output.Service): Effect.Effect<void> => output.status("")
