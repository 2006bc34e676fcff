/**
 * `npm run bench [-- --quick | --smoke] [--json PATH] [--only NAME]`: runs the scenarios, prints
 * the Markdown table, writes the JSON report.
 *
 * Flags are read with `node:util` `parseArgs`: no CLI library is installed, and four flags do not
 * justify one. The runner is plain Node code: it only starts processes and does arithmetic.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs/promises"
import { parseArgs } from "node:util"
import * as Bundle from "./Bundle.js"
import * as Child from "./Child.js"
import * as Report from "./Report.js"
import * as Runner from "./Runner.js"
import * as Scenarios from "./Scenarios.js"
import { byMode, type Mode } from "./Settings.js"

const usage = `usage: bench [--quick | --smoke] [--json PATH] [--only NAME[,NAME]]
  (default: the full run, a few minutes; --quick: about a minute; --smoke: a few seconds, tiny sizes)
scenarios:
${
  Scenarios.all.map((s) =>
    `  ${s.name}: ${s.description}${s.modes === undefined ? "" : ` (${s.modes.join(", ")} run)`}`
  ).join("\n")
}`

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      smoke: { type: "boolean", default: false },
      json: { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false }
    }
  })
  if (values.help) {
    console.log(usage)
    return 0
  }
  const mode: Mode = values.smoke ? "smoke" : values.quick ? "quick" : "full"
  // Named, a scenario runs whatever the mode; unnamed, the mode's own scenarios run.
  const names = values.only?.split(",").map((name) => name.trim()) ??
    Scenarios.all.filter((s) => s.modes === undefined || s.modes.includes(mode)).map((s) => s.name)
  const unknown = names.filter((name) => Scenarios.byName(name) === undefined)
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(", ")}\n${usage}`)
    return 2
  }
  const scenarios = Scenarios.all.filter((s) => names.includes(s.name))
  const machine = Report.machine()
  const started = performance.now()

  await Bundle.make()
  const sim = await Child.server("sim", [])
  const gateway = scenarios.some((s) => s.needsGateway)
    ? await Child.server("gateway", ["--upstream", sim.url])
    : undefined
  const results: Record<string, Runner.Result> = {}
  const failed: Record<string, string> = {}
  try {
    for (const scenario of scenarios) {
      const at = performance.now()
      console.error(`bench: ${scenario.name} (${mode})...`)
      // One scenario failing must not throw away the others' minutes of measurement.
      try {
        results[scenario.name] = await Runner.run(scenario, {
          settings: byMode[mode],
          simUrl: sim.url,
          simPid: sim.child.pid,
          gatewayUrl: gateway?.url
        })
        console.error(`bench: ${scenario.name} done in ${((performance.now() - at) / 1000).toFixed(1)} s`)
      } catch (error) {
        failed[scenario.name] = error instanceof Error ? error.message : String(error)
        console.error(`bench: ${scenario.name} FAILED: ${failed[scenario.name]}`)
      }
    }
  } finally {
    gateway?.child.kill()
    sim.child.kill()
  }
  const report: Report.Report = {
    machine: Report.finish(machine),
    mode,
    scenarios: results,
    ...(Object.keys(failed).length > 0 ? { failed } : {})
  }
  console.log(Report.markdown(report))
  console.error(`bench: ${mode} run took ${((performance.now() - started) / 1000).toFixed(1)} s`)
  if (values.json !== undefined) await Fs.writeFile(values.json, JSON.stringify(report, null, 2) + "\n")
  return Object.keys(failed).length > 0 ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error)
    process.exitCode = 1
  }
)
