/**
 * Idle streams held open through a proxy (the gateway, or the relay `upstreamHttp2` measures),
 * read by the cheapest reader (`UndiciRaw`): each a `sim:steady`-shaped chat request with a
 * 10-minute gap (the role opener, then silence), opened evenly over a spread so that the proxy's
 * per-stream timers (keep-alives) are spread too.
 *
 * @since 0.1.0
 */
import type { Held } from "./Consumer.js"
import { sleep } from "./Stats.js"
import { read } from "./UndiciRaw.js"

// The tag (the one-token text) tells the warm-up's records from the measured ones.
const model = (tag: string, i: number) => `sim:steady?text=${tag}&gap=600s&jitter=0ms&seed=${i}`

/**
 * Streams held open, and how those that ended before `close` ended.
 *
 * @since 0.1.0
 * @category models
 */
export interface Opened {
  readonly held: ReadonlyArray<Held>
  /** How streams that ended before `close` ended (their read returned, or undici's error), by count. */
  readonly ended: Map<string, number>
}

/** What the streams' requests came to: answered (200), refused (another status), or failed before any answer. */
interface Answers {
  answered: number
  readonly refused: Array<number>
  readonly failed: Map<string, number>
}

const codeOf = (error: unknown): string => String((error as { code?: unknown })?.code ?? error)

const countOf = (counts: ReadonlyMap<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0)

/**
 * Counts by key, as one line.
 *
 * @since 0.1.0
 * @category reporting
 */
export const describe = (counts: ReadonlyMap<string, number>): string =>
  [...counts].map(([key, count]) => `${count} by ${key}`).join(", ")

/** Fails the run unless every stream was answered with 200, naming each other outcome (`EMFILE` as itself). */
const checkAnswers = (answers: Answers, count: number): void => {
  if (answers.failed.size > 0) {
    throw new Error(
      `the reader could not open ${countOf(answers.failed)} of ${count} streams (${describe(answers.failed)})`
    )
  }
  if (answers.refused.length > 0) {
    throw new Error(`the proxy refused ${answers.refused.length} of ${count} streams (${answers.refused[0]})`)
  }
}

/**
 * Opens `count` streams evenly over `spreadMillis` (all at once for 0) and waits for every
 * response. A non-200 answer (the proxy refusing a stream) or a request that got none (the
 * reader's own error, such as `EMFILE`) fails the run.
 *
 * @since 0.1.0
 * @category streams
 */
export const openAll = async (url: string, tag: string, count: number, spreadMillis: number): Promise<Opened> => {
  const held: Array<Held> = []
  const ended = new Map<string, number>()
  const answers: Answers = { answered: 0, refused: [], failed: new Map() }
  const ignore = () => undefined
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const wait = started + (spreadMillis * i) / count - performance.now()
    if (wait >= 1) await sleep(wait)
    const controller = new AbortController()
    let closed = false
    let answered = false
    const openedAt = performance.now()
    const onResponse = (status: number) => {
      answered = true
      if (status === 200) answers.answered++
      else answers.refused.push(status)
    }
    const end = (how: string) => {
      if (closed) return
      const counts = answered ? ended : answers.failed
      const key = answered ? `${how} after ${Math.round((performance.now() - openedAt) / 1000)} s` : how
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    // A 5-minute idle limit per stream (undici's default `bodyTimeout`), as deployed.
    const done = read(url, model(tag, i), ignore, { signal: controller.signal, bodyTimeout: 300_000, onResponse })
      .then(() => end("the end of the body"), (error: unknown) => end(codeOf(error)))
    held.push({
      close: () => {
        closed = true
        controller.abort()
      },
      ended: done
    })
  }
  const deadline = Date.now() + 60_000
  while (answers.answered + answers.refused.length + countOf(answers.failed) < count) {
    if (Date.now() > deadline) {
      throw new Error(`only ${answers.answered} of ${count} streams answered through the proxy`)
    }
    await sleep(50)
  }
  checkAnswers(answers, count)
  return { held, ended }
}

/**
 * Closes every stream and waits until each has ended.
 *
 * @since 0.1.0
 * @category streams
 */
export const closeAll = async (held: ReadonlyArray<Held>): Promise<void> => {
  for (const stream of held) stream.close()
  await Promise.all(held.map((stream) => stream.ended))
}
