/**
 * Policies from the environment, as a table: an environment, a profile, and the effective policy
 * in milliseconds, or the mistake named by its key (and, for a misspelt name, the valid name
 * nearest to it).
 *
 * @since 0.1.0
 */
import type { Policy } from "./Policy.js"

/**
 * What loading must give: the policy, or a failure naming `keys` (and each bad `values`, quoted,
 * in its message), or an unknown profile; and the unknown variables with their nearest names.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProfileExpected {
  readonly policy?: Policy
  readonly invalid?: { readonly keys: ReadonlyArray<string>; readonly values: ReadonlyArray<string> }
  readonly unknownProfile?: { readonly name: string; readonly known: ReadonlyArray<string> }
  /** `[name, nearest]` pairs, in any order; default none. */
  readonly unknownVariables?: ReadonlyArray<readonly [string, string | undefined]>
}

/**
 * One row. `file`, when given, is written as a JSON file that `STREAMGUARD_CONFIG` names.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProfileCase {
  readonly name: string
  readonly profile: string
  readonly env: Readonly<Record<string, string>>
  readonly file?: unknown
  readonly expected: ProfileExpected
}

/** The built-ins, as README's profile table gives them. */
const chat: Policy = { connect: 10_000, write: 10_000, chunk: 30_000, total: 120_000, request: 60_000 }
const research: Policy = { connect: 10_000, write: 10_000, chunk: 30_000, progress: 600_000, request: 300_000 }

/** Loading with no overrides, and the overrides of each kind of value. */
const overrides: ReadonlyArray<ProfileCase> = [
  {
    name: "no variables: the built-in chat profile",
    profile: "chat",
    env: {},
    expected: { policy: chat }
  },
  {
    name: "no variables: the built-in research profile",
    profile: "research",
    env: {},
    expected: { policy: research }
  },
  {
    name: "STREAMGUARD_CHAT_CHUNK_TIMEOUT=45s and ..._TOTAL_TIMEOUT=none: chunk 45 s, no total",
    profile: "chat",
    env: { STREAMGUARD_CHAT_CHUNK_TIMEOUT: "45s", STREAMGUARD_CHAT_TOTAL_TIMEOUT: "none" },
    expected: { policy: { connect: 10_000, write: 10_000, chunk: 45_000, request: 60_000 } }
  },
  {
    name: "STREAMGUARD_CHAT_MIN_RATE=5/10s: five content events in every 10 s",
    profile: "chat",
    env: { STREAMGUARD_CHAT_MIN_RATE: "5/10s" },
    expected: { policy: { ...chat, minRate: { events: 5, perMillis: 10_000 } } }
  },
  {
    name: "STREAMGUARD_RESEARCH_REASONING_TIMEOUT=5m: reasoning 5 minutes",
    profile: "research",
    env: { STREAMGUARD_RESEARCH_REASONING_TIMEOUT: "5m" },
    expected: { policy: { ...research, reasoning: 300_000 } }
  },
  {
    name: "every form of duration: 2m, 1500 millis, a bare number of milliseconds",
    profile: "chat",
    env: {
      STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT: "2m",
      STREAMGUARD_CHAT_PROGRESS_TIMEOUT: "1500 millis",
      STREAMGUARD_CHAT_HEADERS_TIMEOUT: "2500"
    },
    expected: { policy: { ...chat, firstChunk: 120_000, progress: 1500, headers: 2500 } }
  },
  {
    name: "another profile's variable changes nothing in this one",
    profile: "chat",
    env: { STREAMGUARD_RESEARCH_CHUNK_TIMEOUT: "5s" },
    expected: { policy: chat }
  },
  {
    name: "the config file overrides the built-in, and the environment beats the file",
    profile: "chat",
    env: { STREAMGUARD_CHAT_CHUNK_TIMEOUT: "20s" },
    file: { profiles: { chat: { chunk: "45s", total: "none", firstChunk: "10s" } } },
    expected: { policy: { connect: 10_000, write: 10_000, firstChunk: 10_000, chunk: 20_000, request: 60_000 } }
  },
  {
    name: "a custom profile from the file, on a built-in base, with its own variables",
    profile: "agent",
    env: { STREAMGUARD_AGENT_TOTAL_TIMEOUT: "15m" },
    file: { profiles: { agent: { base: "research", firstChunk: "2m" } } },
    expected: { policy: { ...research, firstChunk: 120_000, total: 900_000 } }
  }
]

/** What stops start-up, and what is named without stopping it. */
const mistakes: ReadonlyArray<ProfileCase> = [
  {
    name: "a value that is no duration fails naming its key and the value",
    profile: "chat",
    env: { STREAMGUARD_CHAT_CHUNK_TIMEOUT: "soon" },
    expected: { invalid: { keys: ["STREAMGUARD_CHAT_CHUNK_TIMEOUT"], values: ["\"soon\""] } }
  },
  {
    name: "a zero duration fails naming its key",
    profile: "chat",
    env: { STREAMGUARD_CHAT_TOTAL_TIMEOUT: "0s" },
    expected: { invalid: { keys: ["STREAMGUARD_CHAT_TOTAL_TIMEOUT"], values: [] } }
  },
  {
    name: "a rate that is no rate fails naming its key and the value",
    profile: "chat",
    env: { STREAMGUARD_CHAT_MIN_RATE: "5 a second" },
    expected: { invalid: { keys: ["STREAMGUARD_CHAT_MIN_RATE"], values: ["\"5 a second\""] } }
  },
  {
    name: "a bad reasoning value fails naming its key",
    profile: "research",
    env: { STREAMGUARD_RESEARCH_REASONING_TIMEOUT: "forever" },
    expected: { invalid: { keys: ["STREAMGUARD_RESEARCH_REASONING_TIMEOUT"], values: ["\"forever\""] } }
  },
  {
    name: "misspelt names change nothing and are each named with the valid name nearest to them",
    profile: "chat",
    env: {
      STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT: "5s",
      STREAMGUARD_CAHT_CHUNK_TIMEOUT: "5s",
      STREAMGUARD_CHAT_MIN_RATE_TIMEOUT: "5/10s",
      STREAMGUARD_RESEARCH_REASONNING_TIMEOUT: "5m",
      // Another program's variable is left to it.
      STREAMGUARD_GATEWAY_KEYS: "k"
    },
    expected: {
      policy: chat,
      unknownVariables: [
        ["STREAMGUARD_CHAT_FIRSTCHUNK_TIMEOUT", "STREAMGUARD_CHAT_FIRST_CHUNK_TIMEOUT"],
        ["STREAMGUARD_CAHT_CHUNK_TIMEOUT", "STREAMGUARD_CHAT_CHUNK_TIMEOUT"],
        ["STREAMGUARD_CHAT_MIN_RATE_TIMEOUT", "STREAMGUARD_CHAT_MIN_RATE"],
        ["STREAMGUARD_RESEARCH_REASONNING_TIMEOUT", "STREAMGUARD_RESEARCH_REASONING_TIMEOUT"]
      ]
    }
  },
  {
    name: "a name under a profile's prefix that is none of its settings is named, with no guess when none is near",
    profile: "chat",
    env: { STREAMGUARD_CHAT_SPEED: "fast" },
    expected: { policy: chat, unknownVariables: [["STREAMGUARD_CHAT_SPEED", undefined]] }
  },
  {
    name: "an unknown profile fails naming the known ones",
    profile: "nope",
    env: {},
    expected: { unknownProfile: { name: "nope", known: ["research", "mcp", "chat", "batch"] } }
  },
  {
    name: "a variable alone cannot invent a profile: it is named, with the valid name nearest to it",
    profile: "ghost",
    env: { STREAMGUARD_GHOST_CHUNK_TIMEOUT: "5s" },
    expected: {
      unknownProfile: { name: "ghost", known: ["research", "mcp", "chat", "batch"] },
      unknownVariables: [["STREAMGUARD_GHOST_CHUNK_TIMEOUT", "STREAMGUARD_CHAT_CHUNK_TIMEOUT"]]
    }
  }
]

/**
 * Every row.
 *
 * @since 0.1.0
 * @category constants
 */
export const profileCases: ReadonlyArray<ProfileCase> = [...overrides, ...mistakes]
