/**
 * `@streamguard/bench-effect4`'s `Relay` in a process of its own, in front of one upstream
 * (`--upstream URL --ca FILE`, `--http2` to offer it HTTP/2), on a free loopback port announced
 * over IPC. Started with `--expose-gc`, it collects when asked (`CollectOnRequest`), so its memory
 * is read from outside as the gateway's is.
 *
 * @since 0.1.0
 */
import * as Relay from "@streamguard/bench-effect4/Relay"
import * as Fs from "node:fs"
import { parseArgs } from "node:util"
import * as CollectOnRequest from "../CollectOnRequest.js"

const flags = parseArgs({
  options: { upstream: { type: "string" }, ca: { type: "string" }, http2: { type: "boolean", default: false } }
}).values
if (flags.upstream === undefined || flags.ca === undefined) throw new Error("relay: --upstream and --ca are required")

// Its starter going away is the end.
process.once("disconnect", () => process.exit(0))
CollectOnRequest.install()

const { url } = await Relay.start({
  upstream: flags.upstream,
  http2: flags.http2,
  ca: Fs.readFileSync(flags.ca, "utf8")
})
process.send?.({ url })
