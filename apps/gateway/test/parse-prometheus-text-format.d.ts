// The package ships no types: what the tests read of it.
declare module "parse-prometheus-text-format" {
  interface Sample {
    readonly value?: string
    readonly labels?: Readonly<Record<string, string>>
    readonly buckets?: Readonly<Record<string, string>>
    readonly count?: string
    readonly sum?: string
  }
  interface Family {
    readonly name: string
    readonly help: string
    readonly type: string
    readonly metrics: ReadonlyArray<Sample>
  }
  /** Parses Prometheus text (version 0.0.4); throws on a malformed line. */
  export default function parsePrometheusTextFormat(text: string): Array<Family>
}
