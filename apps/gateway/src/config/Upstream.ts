/**
 * The upstream providers, as the config file's `upstreams` lists them, and their API keys, read
 * from the env vars they name.
 *
 * @since 0.1.0
 */
import type { Redacted } from "effect"
import { Config, Effect, Schema } from "effect"
import { ConfigLoadError } from "./ConfigLoadError.js"
import { NonEmptyTrimmedString, PositiveInt } from "./Setting.js"

/**
 * Which client endpoints an upstream serves: `openai` serves both OpenAI dialects (OpenAI, Azure,
 * OpenRouter, vLLM, Ollama's `/v1`), `openaiChat` / `openaiResponses` only one, `anthropic` the
 * Messages API, `any` every dialect (the simulator).
 *
 * @since 0.1.0
 * @category models
 */
export const UpstreamDialect = Schema.Literals(["openai", "openaiChat", "openaiResponses", "anthropic", "any"])

/**
 * @since 0.1.0
 * @category models
 */
export type UpstreamDialect = typeof UpstreamDialect.Type

/**
 * One upstream provider.
 *
 * @since 0.1.0
 * @category models
 */
export class Upstream extends Schema.Class<Upstream>("gateway/Upstream")({
  name: NonEmptyTrimmedString,
  /** Where the provider's `/v1/...` paths live, e.g. `https://api.openai.com`. */
  baseUrl: Schema.String.check(Schema.makeFilter((s) => URL.canParse(s) || `not a URL: ${JSON.stringify(s)}`)),
  dialect: UpstreamDialect,
  /** The env var holding this upstream's API key; none for keyless servers (Ollama, the simulator). */
  apiKeyEnv: Schema.optional(NonEmptyTrimmedString),
  /**
   * Model name patterns this upstream serves alone (a route of one); `*` matches any run of
   * characters (`gpt-*`, `sim:*`). None for an upstream only `routes` use.
   */
  models: Schema.Array(NonEmptyTrimmedString).pipe(
    Schema.withDecodingDefaultKey(Effect.succeed([])),
    Schema.withConstructorDefault(Effect.succeed([]))
  ),
  /** The profile of requests to this upstream that name none. */
  defaultProfile: Schema.optional(NonEmptyTrimmedString),
  maxConcurrentStreams: Schema.optional(PositiveInt)
}) {}

/**
 * The upstreams, in routing order; their names are unique (logs, metrics and keys go by name).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Upstreams = Schema.Array(Upstream).check(Schema.makeFilter((upstreams) => {
  const names = new Set<string>()
  for (const upstream of upstreams) {
    if (names.has(upstream.name)) return `duplicate upstream name ${upstream.name}`
    names.add(upstream.name)
  }
  return true
}))

/**
 * Each upstream's API key, by upstream name, read with `Config.Redacted` from the env var its
 * `apiKeyEnv` names, so it never prints. A named env var that is not set is an error naming it.
 *
 * @since 0.1.0
 * @category reading
 */
export const apiKeys = (
  upstreams: ReadonlyArray<Upstream>
): Effect.Effect<ReadonlyMap<string, Redacted.Redacted>, ConfigLoadError> =>
  Effect.map(
    Effect.forEach(upstreams.filter((upstream) => upstream.apiKeyEnv !== undefined), (upstream) =>
      Config.Redacted(upstream.apiKeyEnv!).pipe(
        Effect.mapError(() =>
          new ConfigLoadError({
            key: upstream.apiKeyEnv!,
            reason: `upstream ${upstream.name} reads its API key from ${upstream.apiKeyEnv}, which is not set`
          })
        ),
        Effect.map((key) =>
          [upstream.name, key] as const
        )
      )),
    (keys) => new Map(keys)
  )
