/**
 * The bench's gateway entry (`gateway.js`, beside this one in the bundle) under Node's `cluster`
 * module: `cluster.js --workers N <gateway flags>`. The primary forks N workers, each a gateway of
 * its own; they share one listening port (the primary accepts and hands each connection to a
 * worker in turn, cluster's round-robin, its default on Linux). Announces `{ url }` over IPC once
 * every worker listens; ends its workers when its starter goes away.
 *
 * @since 0.1.0
 */
import cluster from "node:cluster"
import { bundled } from "../NodeProcess.js"

const [flag, workers, ...gatewayArgs] = process.argv.slice(2)
const count = Number(workers)
if (flag !== "--workers" || !Number.isInteger(count) || count < 1) {
  throw new Error("usage: cluster.js --workers N <gateway flags>")
}

// Round-robin in the primary, stated: it is the default everywhere but Windows.
cluster.schedulingPolicy = cluster.SCHED_RR
// The gateways' JSON logs are dropped, as the bench's single gateways' are.
cluster.setupPrimary({ exec: bundled("gateway"), args: gatewayArgs, stdio: ["ignore", "ignore", "inherit", "ipc"] })

const urls = new Set<string>()
let listening = 0
for (let i = 0; i < count; i++) {
  cluster.fork().on("message", (message: { readonly url?: string }) => {
    if (message.url === undefined) return
    urls.add(message.url)
    if (++listening < count) return
    // Workers that listen on port 0 share the one port the primary picked: one URL, or a bug.
    if (urls.size !== 1) throw new Error(`the workers listen on ${urls.size} ports: ${[...urls].join(", ")}`)
    process.send?.({ url: [...urls][0] })
  })
}

process.once("disconnect", () => {
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL")
  process.exit(0)
})
