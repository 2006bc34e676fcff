/**
 * One viewer of the gateway's live operator page, as the page itself loads its data: a `GET
 * /streams.json` once a second, read whole, with the gateway key when the bench's gateways have
 * keys (`GatewayKey`). Its own CPU is the worker's; what it costs the gateway is what
 * `gatewayIdle` measures with it.
 *
 * @since 0.1.0
 */
import { request } from "undici"
import * as GatewayKey from "./GatewayKey.js"
import { sleep } from "./Stats.js"

/**
 * The live page's data route.
 *
 * @since 0.1.0
 * @category constants
 */
export const path = "/streams.json"

/** The page polls once a second. */
const periodMillis = 1_000

const poll = async (gatewayUrl: string): Promise<number> => {
  const response = await request(`${gatewayUrl}${path}`, {
    headers: { accept: "application/json", ...GatewayKey.headers }
  })
  // Read whole, as the page reads it before it renders.
  await response.body.text()
  return response.statusCode
}

/**
 * Polls `/streams.json` `times` times back to back, as a page open for a while has: the view's code
 * compiled, as the warm-up streams compile the relay's, so a window measures a viewer's steady cost
 * rather than its first seconds. `false` when the gateway has no such route.
 *
 * @since 0.1.0
 * @category viewing
 */
export const warm = async (gatewayUrl: string, times: number): Promise<boolean> => {
  for (let i = 0; i < times; i++) {
    const status = await poll(gatewayUrl)
    if (status === 404) return false
    if (status !== 200) throw new Error(`the gateway answered ${path} with ${status}`)
  }
  return true
}

/**
 * Polls `/streams.json` once a second for `millis`, from now. `false` when the gateway has no such
 * route (its first answer is 404): there is nothing to view yet. Any other answer than 200 fails.
 *
 * @since 0.1.0
 * @category viewing
 */
export const watch = async (gatewayUrl: string, millis: number): Promise<boolean> => {
  const start = performance.now()
  for (let at = 0; at < millis; at += periodMillis) {
    const wait = start + at - performance.now()
    if (wait >= 1) await sleep(wait)
    const status = await poll(gatewayUrl)
    if (status === 404 && at === 0) return false
    if (status !== 200) throw new Error(`the gateway answered ${path} with ${status}`)
  }
  const rest = start + millis - performance.now()
  if (rest >= 1) await sleep(rest)
  return true
}
