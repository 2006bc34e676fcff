/**
 * Reading `/metrics` as Prometheus does: the whole text through a Prometheus text-format parser
 * (which throws on a malformed line), each family once with its type, and each series (name and
 * labels) once, which Prometheus requires of a scrape.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format"

export interface Exposition {
  /** Each family's type, by name. */
  readonly types: ReadonlyMap<string, string>
  /** Every series (`name{label="value",...}`, labels sorted) with its value. */
  readonly series: ReadonlyMap<string, number>
}

const key = (name: string, labels: Readonly<Record<string, string>> | undefined): string => {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b))
  return `${name}{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`
}

/**
 * The text with each histogram's `_sum` and `_count` lines after its buckets. The text format
 * allows either order within a family, and OpenTelemetry's exporter writes them first; the parser
 * folds an unlabelled histogram's lines together only in the order Prometheus' own clients write
 * (buckets first), and throws otherwise. Lines only move within their family.
 */
const bucketsFirst = (text: string): string => {
  const out: Array<string> = []
  let held: Array<string> = []
  let histogram: string | undefined
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line)
    if (line.startsWith("#") || line === "") {
      out.push(...held)
      held = []
    }
    if (type !== null) histogram = type[2] === "histogram" ? type[1] : undefined
    const name = /^[^\s{]+/.exec(line)?.[0]
    if (histogram !== undefined && (name === `${histogram}_sum` || name === `${histogram}_count`)) held.push(line)
    else out.push(line)
  }
  return [...out, ...held].join("\n")
}

/**
 * Parses `text`; throws on a malformed line, a family written in two places or typed twice, or a
 * series written twice. The parser folds a histogram's lines into one object, so each sample line
 * is also read on its own, by the same parser, for its name and labels.
 */
export const parse = (text: string): Exposition => {
  const types = new Map<string, string>()
  for (const family of parsePrometheusTextFormat(bucketsFirst(text))) {
    if (types.has(family.name)) throw new Error(`family ${family.name} is written in more than one place`)
    types.set(family.name, family.type)
  }
  const series = new Map<string, number>()
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue
    const [family] = parsePrometheusTextFormat(`${line}\n`)
    const sample = family!.metrics[0]!
    const id = key(family!.name, sample.labels)
    if (series.has(id)) throw new Error(`duplicate series ${id}`)
    series.set(id, Number(sample.value))
  }
  return { types, series }
}
