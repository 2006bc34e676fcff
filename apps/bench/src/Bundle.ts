/**
 * The bench's processes as one ESM bundle (esbuild, code-split per consumer), built once per run
 * into `build/bench`. Started through tsx, every child spent seconds resolving hundreds of
 * modules through the loader hooks before measuring anything; from the bundle it starts at
 * once. Code splitting keeps the dynamic imports: a baseline's process still never loads the
 * subject's modules.
 *
 * @since 0.1.0
 */
import { build } from "esbuild"
import { fileURLToPath } from "node:url"

const appDir = fileURLToPath(new URL("..", import.meta.url))

/**
 * Where the bundle goes; its entries are `worker.js`, `sim.js`, `gateway.js`, `cluster.js`,
 * `relay.js` and `tlsUpstream.js`.
 *
 * @since 0.1.0
 * @category constants
 */
export const outDir = `${appDir}build/bench`

/**
 * Bundles the entry points.
 *
 * @since 0.1.0
 * @category building
 */
export const make = async (): Promise<void> => {
  await build({
    entryPoints: ["worker", "sim", "gateway", "relay", "tlsUpstream", "cluster"].map((name) =>
      `${appDir}src/bin/${name}.ts`
    ),
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // The workspace packages' TypeScript sources, as the tests and `npm start` run them.
    conditions: ["@streamguard/source"],
    logLevel: "warning",
    // CommonJS dependencies (undici) call `require` for Node's built-ins.
    banner: {
      js:
        "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);"
    }
  })
}
