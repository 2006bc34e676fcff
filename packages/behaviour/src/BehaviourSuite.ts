/**
 * The behavioural suite: vitest `describe`/`it` blocks that run one Effect line, through its
 * `Driver`, against the same tables and the same exact expectations as every other line.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, beforeAll, describe, it, onTestFinished } from "vitest"
import type { Driver, LiveClient, Run, Via } from "./Driver.js"
import type { LiveCase } from "./LiveCases.js"
import { liveCases } from "./LiveCases.js"
import * as LiveUpstream from "./LiveUpstream.js"
import type { ProfileCase } from "./ProfileCases.js"
import { profileCases } from "./ProfileCases.js"
import { answer, content, keepalive, stall, wait } from "./Script.js"
import type { Expected } from "./TimerCases.js"
import { timerCases } from "./TimerCases.js"

const titles: Record<Via, string> = {
  guard: "guard: Guard.guard over a scripted stream",
  stream: "stream: LlmClient.stream over the in-memory upstream",
  batch: "batch: LlmClient.batch over the in-memory upstream"
}

/** Checks a run probed one millisecond before the expected end and at it. */
const expectEnd = (run: Run, expected: Expected): void => {
  const at = expected.atMillis
  assert.deepStrictEqual(
    run.snapshots[0],
    { atMillis: at - 1, running: true, content: expected.contentBefore ?? expected.content },
    `one millisecond before ${at} ms: still running, with the content so far`
  )
  const ended = run.ended
  assert.isDefined(ended, `still running at ${at} ms`)
  assert.deepStrictEqual(
    {
      result: ended!.result,
      observed: ended!.observed,
      atMillis: ended!.atMillis,
      content: ended!.content,
      upstreamReleasedAtMillis: ended!.upstreamReleasedAtMillis
    },
    {
      result: expected.result,
      observed: expected.observed,
      atMillis: at,
      content: expected.content,
      upstreamReleasedAtMillis: at
    },
    `how and when it ended (${ended!.detail || "no failure"})`
  )
}

const timers = (driver: Driver): void => {
  describe("every limit's exact millisecond, under the TestClock", () => {
    for (const via of ["guard", "stream", "batch"] as const) {
      describe(titles[via], () => {
        for (const row of timerCases.filter((row) => row.via.includes(via))) {
          it(row.name, async () => {
            const at = row.expected.atMillis
            const [run] = await driver.underTestClock(via, [row.case], [at - 1, at])
            expectEnd(run!, row.expected)
          })
        }
      })
    }
  })
}

/** Stream `i` of the thousand: content at once, a keepalive at 500 ms, then silence under chunk `1000 + i`. */
const thousand = Array.from({ length: 1000 }, (_, i) => ({
  upstream: answer(content(`s${i}`), wait(500), keepalive, stall),
  policy: { chunk: 1000 + i }
}))

/** What is wrong with stream `i` of the thousand, if anything. */
const wrongWith = (run: Run, i: number): Array<string> => {
  const [early, late] = run.snapshots
  const ended = run.ended
  const problems = [
    early?.running === true ? undefined : "had ended at 1499 ms",
    ended === undefined ? "was still running at 2499 ms" : undefined,
    ended !== undefined && (ended.result !== "chunk_timeout" || ended.observed !== "chunk_timeout") ?
      `ended with ${ended.result} (observed ${ended.observed})` :
      undefined,
    ended !== undefined && ended.atMillis !== 1500 + i ? `ended at ${ended.atMillis} ms, not ${1500 + i}` : undefined,
    ended !== undefined && ended.content.join() !== `s${i}` ? `delivered ${ended.content.join()}` : undefined,
    late?.running === false ? undefined : "was running at 2499 ms"
  ]
  return problems.flatMap((problem) => problem === undefined ? [] : [`stream ${i} ${problem}`])
}

const thousandStreams = (driver: Driver): void => {
  describe("1,000 streams under one TestClock", () => {
    // Under the guard: the engine's one deadline scheduler per Clock, with 1,000 deadlines on it.
    it("each with its own chunk limit (1000 + i ms), each fails at its own exact millisecond", async () => {
      const runs = await driver.underTestClock("guard", thousand, [1499, 2499])
      assert.strictEqual(runs.length, 1000)
      assert.deepStrictEqual(runs.flatMap(wrongWith), [])
    }, 120_000)
  })
}

/** How long a stream on loopback may take to end, and the upstream to see the close after it. */
const liveDeadlineMillis = 5000
const closeDeadlineMillis = 1000

const live = async (client: LiveClient, row: LiveCase): Promise<void> => {
  const upstream = await LiveUpstream.start(row.answer)
  onTestFinished(() => upstream.close())
  const ending = await LiveUpstream.within(
    client.stream({ url: upstream.url, policy: row.policy, consumer: row.consumer }),
    liveDeadlineMillis,
    "the stream did not end"
  )
  assert.deepStrictEqual(
    { result: ending.result, observed: ending.observed, content: ending.content },
    row.expected,
    `how it ended (${ending.detail || "no failure"})`
  )
  const exchange = await upstream.exchange(0)
  await LiveUpstream.within(exchange.closed, closeDeadlineMillis, "the upstream did not see its connection close")
}

const liveCloses = (driver: Driver): void => {
  describe("real sockets: every end closes the upstream's connection", () => {
    let client: LiveClient | undefined
    beforeAll(async () => {
      client = await driver.liveClient()
    })
    afterAll(() => client?.close())
    for (const row of liveCases) {
      it(row.name, () => live(client!, row))
    }
  })
}

/** The environment of a row, with its config file written to a temporary folder removed after the test. */
const envOf = (row: ProfileCase): Readonly<Record<string, string>> => {
  if (row.file === undefined) return row.env
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "streamguard-behaviour-"))
  onTestFinished(() => Fs.rmSync(dir, { recursive: true, force: true }))
  const path = Path.join(dir, "streamguard.json")
  Fs.writeFileSync(path, JSON.stringify(row.file))
  return { ...row.env, STREAMGUARD_CONFIG: path }
}

const profile = async (driver: Driver, row: ProfileCase): Promise<void> => {
  const loaded = await driver.loadProfile(row.profile, envOf(row))
  const { invalid, policy, unknownProfile, unknownVariables = [] } = row.expected
  assert.deepStrictEqual(loaded.policy, policy, `the policy (${loaded.failure?.message ?? "no failure"})`)
  if (invalid !== undefined) {
    assert.strictEqual(loaded.failure?._tag, "InvalidProfileConfig")
    assert.deepStrictEqual(loaded.failure?._tag === "InvalidProfileConfig" && loaded.failure.keys, invalid.keys)
    for (const named of [...invalid.keys, ...invalid.values]) assert.include(loaded.failure!.message, named)
  } else if (unknownProfile !== undefined) {
    assert.strictEqual(loaded.failure?._tag, "UnknownProfile")
    assert.deepStrictEqual(loaded.failure?._tag === "UnknownProfile" && loaded.failure.known, unknownProfile.known)
    for (const named of [JSON.stringify(unknownProfile.name), ...unknownProfile.known]) {
      assert.include(loaded.failure!.message, named)
    }
  } else {
    assert.isUndefined(loaded.failure)
  }
  const byName = (a: readonly [string, unknown], b: readonly [string, unknown]) => a[0].localeCompare(b[0])
  assert.deepStrictEqual(
    loaded.unknownVariables.map((variable) => [variable.name, variable.nearest] as const).sort(byName),
    [...unknownVariables].sort(byName)
  )
  for (const variable of loaded.unknownVariables) {
    for (const named of [variable.name, variable.nearest ?? variable.name]) assert.include(variable.message, named)
  }
}

const profiles = (driver: Driver): void => {
  describe("policies from the environment (ProfileConfig)", () => {
    for (const row of profileCases) {
      it(row.name, () => profile(driver, row))
    }
  })
}

/**
 * Declares the whole suite for one line: every limit's exact millisecond under the `TestClock`
 * (under the guard, the client's streams and its batch calls), 1,000 streams under one
 * `TestClock`, every end's close on real sockets, and policies from the environment. Call it at
 * the top level of a test file: `behaviourSuite(driver)`.
 *
 * @since 0.1.0
 * @category suites
 */
export const behaviourSuite = (driver: Driver): void => {
  describe(`the behaviour every line shares (${driver.line})`, () => {
    timers(driver)
    thousandStreams(driver)
    liveCloses(driver)
    profiles(driver)
  })
}
