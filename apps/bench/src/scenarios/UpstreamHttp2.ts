/**
 * `upstreamHttp2`: does HTTP/2 to the upstream pay? K idle streams are proxied by the relay of the
 * Effect 4 line's undici (`@streamguard/bench-effect4`'s `Relay`, each run a process of its own)
 * to an upstream over TLS that speaks both protocols (`bin/tlsUpstream.ts`), once offering it
 * HTTP/1.1 only (variant `http1`: one connection per stream, as every provider call is today) and
 * once HTTP/2 (`http2`: undici's `allowH2`, streams multiplexed, up to 100 on a connection). The
 * relay is sampled from outside (`/proc`): RSS, heap and descriptors per stream, and its CPU while
 * all are open and silent. Everything but the upstream leg is the same in both, so the difference
 * is what the gateway would gain or lose on that leg. The certificate is made for the run
 * (`openssl`); without `openssl` the bench leaves the scenario out.
 *
 * @since 0.1.0
 */
import type { ChildProcess } from "node:child_process"
import { execFile } from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import { closeAll, describe, openAll } from "../IdleStreams.js"
import { bundled, collectIn, executable, firstMessage, spawnNode, stop } from "../NodeProcess.js"
import * as Proc from "../Proc.js"
import type { Metrics, Scenario } from "../Scenario.js"
import { difference, ratio } from "../Scenario.js"
import { sleep } from "../Stats.js"

/**
 * Whether this machine can run the scenario (`openssl` installed, to make the certificate).
 *
 * @since 0.1.0
 * @category predicates
 */
export const available = (): boolean => executable("openssl") !== undefined

const warmupStreams = 20

/** A self-signed P-256 certificate for 127.0.0.1, valid for a day, in a folder of the run's own. */
const certificate = async (): Promise<{ readonly dir: string; readonly key: string; readonly cert: string }> => {
  const dir = await Fs.mkdtemp(Path.join(Os.tmpdir(), "bench-tls-"))
  const key = Path.join(dir, "key.pem")
  const cert = Path.join(dir, "cert.pem")
  await promisify(execFile)(executable("openssl")!, [
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"],
    ...["-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
  ])
  return { dir, key, cert }
}

/** A bundled server in a process of its own, and its URL once it announced it. */
const startServer = async (
  args: ReadonlyArray<string>
): Promise<{ readonly url: string; readonly child: ChildProcess }> => {
  const child = spawnNode(args, ["ignore", "ignore", "inherit", "ipc"])
  const { url } = await firstMessage<{ url: string }>(child)
  return { url, child }
}

/** The relay's usage after full collections in it, with its heap. */
const sample = async (relay: ChildProcess) => {
  const heapUsedBytes = await collectIn(relay)
  return { ...await Proc.usage(relay.pid!), heapUsedBytes }
}

/** One run: K idle streams through the relay, offering the upstream HTTP/2 or not. */
const measureRun = async (relay: ChildProcess, relayUrl: string, upstream: ChildProcess, job: {
  readonly variant: string
  readonly sizes: { readonly streams: number; readonly openSpreadMillis: number; readonly idleMillis: number }
}): Promise<Metrics> => {
  const { idleMillis, openSpreadMillis, streams } = job.sizes
  const warm = await openAll(relayUrl, "warm", warmupStreams, 0)
  await sleep(200)
  await closeAll(warm.held)
  await sleep(500)
  const before = await sample(relay)
  const upstreamBefore = await Proc.descriptors(upstream.pid!)
  const idle = await openAll(relayUrl, "idle", streams, openSpreadMillis)
  // The opener frames are in flight right after the headers; let them be relayed and read.
  await sleep(500)
  const after = await sample(relay)
  const upstreamAfter = await Proc.descriptors(upstream.pid!)
  await sleep(250)
  const cpuStart = await Proc.usage(relay.pid!)
  await sleep(idleMillis)
  const cpuEnd = await Proc.usage(relay.pid!)
  if (idle.ended.size > 0) {
    throw new Error(`some of the ${streams} streams ended before the idle window did (${describe(idle.ended)})`)
  }
  await closeAll(idle.held)
  const upstreamConnections = upstreamAfter.open - upstreamBefore.open
  // Multiplexed, K streams need about K / 100 connections: many more means HTTP/2 was not spoken.
  if (job.variant === "http2" && upstreamConnections > streams / 10 + 1) {
    throw new Error(`the relay opened ${upstreamConnections} connections for ${streams} streams: not multiplexed`)
  }
  return {
    rssBytesPerStream: (after.rssBytes - before.rssBytes) / streams,
    heapBytesPerStream: (after.heapUsedBytes - before.heapUsedBytes) / streams,
    descriptorsPerStream: (after.descriptors - before.descriptors) / streams,
    idleCpuPercent: ((cpuEnd.cpuMicros - cpuStart.cpuMicros) / ((cpuEnd.atMillis - cpuStart.atMillis) * 1000)) * 100,
    upstreamConnections
  }
}

/**
 * @since 0.1.0
 * @category scenarios
 */
export const upstreamHttp2: Scenario = {
  name: "upstreamHttp2",
  description: "a relay's memory, descriptors and CPU per idle stream with HTTP/1.1 and with HTTP/2 to a TLS upstream",
  variants: ["http1", "http2"],
  processPerRun: true,
  exposeGc: false,
  needsGateway: false,
  runs: (settings) => settings.upstreamHttp2.runs,
  measure: async (job) => {
    const tls = await certificate()
    const processes: Array<ChildProcess> = []
    try {
      const upstream = await startServer([bundled("tlsUpstream"), "--key", tls.key, "--cert", tls.cert])
      processes.push(upstream.child)
      const relay = await startServer([
        "--expose-gc",
        bundled("relay"),
        ...["--upstream", upstream.url, "--ca", tls.cert],
        ...(job.variant === "http2" ? ["--http2"] : [])
      ])
      processes.push(relay.child)
      return [
        await measureRun(relay.child, relay.url, upstream.child, {
          variant: job.variant,
          sizes: job.settings.upstreamHttp2
        })
      ]
    } finally {
      await Promise.all(processes.map(stop))
      await Fs.rm(tls.dir, { recursive: true, force: true })
    }
  },
  section: (medians) => {
    const http1 = medians["http1"] ?? {}
    const http2 = medians["http2"] ?? {}
    return {
      label: "http2",
      metrics: http2,
      baselines: { http1 },
      ratios: {
        rssHttp2VsHttp1: ratio(http2["rssBytesPerStream"], http1["rssBytesPerStream"]),
        heapHttp2VsHttp1: ratio(http2["heapBytesPerStream"], http1["heapBytesPerStream"]),
        descriptorsHttp2VsHttp1: ratio(http2["descriptorsPerStream"], http1["descriptorsPerStream"])
      },
      derived: {
        // What each idle stream saves (positive) or costs (negative) on HTTP/2, in bytes of RSS.
        rssBytesSavedPerStream: difference(http1["rssBytesPerStream"], http2["rssBytesPerStream"]),
        // Percentage points of one core: near zero, a ratio would be noise.
        idleCpuHttp2AboveHttp1: difference(http2["idleCpuPercent"], http1["idleCpuPercent"])
      }
    }
  }
}
