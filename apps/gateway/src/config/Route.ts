/**
 * Routes: a model pattern mapped to an ordered list of upstreams, the first one tried first and
 * the others in turn when an attempt fails before any content reached the client (a fallback
 * chain), optionally with a hedge: a second attempt started in parallel when the first is slow to
 * produce content. A plain upstream with model patterns is a route of one.
 *
 * @since 0.1.0
 */
import { TimeoutPolicy } from "@streamguard/core"
import type { Array as Arr } from "effect"
import { Duration, Effect, Option, Schema } from "effect"
import { ConfigLoadError } from "./ConfigLoadError.js"
import { NonEmptyTrimmedString, PositiveInt } from "./Setting.js"
import type { Upstream } from "./Upstream.js"

/**
 * One step of a route's chain in the config file: an upstream's name, or the name with the model
 * to ask that upstream for (the request's own model otherwise).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RouteStep = Schema.Union([
  NonEmptyTrimmedString,
  Schema.Struct({
    upstream: NonEmptyTrimmedString,
    /** The model name this upstream knows the request's model by. */
    model: Schema.optional(NonEmptyTrimmedString)
  })
])

/**
 * @since 0.1.0
 * @category models
 */
export type RouteStep = typeof RouteStep.Type

/**
 * One route as the config file's `routes` lists it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RouteEntry = Schema.Struct({
  /** Model name patterns; `*` matches any run of characters. */
  models: Schema.NonEmptyArray(NonEmptyTrimmedString),
  /** The chain, in the order tried; every upstream of it speaks the same dialect. */
  upstreams: Schema.NonEmptyArray(RouteStep),
  /** Start the next upstream in parallel when the current one produced no content after this long. */
  hedgeAfter: Schema.optional(TimeoutPolicy.Timeout),
  /** How many hedges one request may start (default 1). */
  maxHedges: Schema.optional(PositiveInt)
})

/**
 * @since 0.1.0
 * @category models
 */
export type RouteEntry = typeof RouteEntry.Type

/**
 * The config file's `routes`, in routing order.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RouteEntries = Schema.Array(RouteEntry)

/**
 * One upstream of a resolved route, with the model it is asked for (none: the request's own).
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly upstream: Upstream
  readonly model: Option.Option<string>
}

/**
 * A route ready to serve: its patterns, its chain, and its hedge (none: no hedging).
 *
 * @since 0.1.0
 * @category models
 */
export interface Route {
  readonly models: ReadonlyArray<string>
  readonly targets: Arr.NonEmptyReadonlyArray<Target>
  readonly hedgeAfter: Option.Option<Duration.Duration>
  readonly maxHedges: number
}

/**
 * The route of one plain upstream: its own patterns, itself alone, no hedge.
 *
 * @since 0.1.0
 * @category constructors
 */
export const single = (upstream: Upstream): Route => ({
  models: upstream.models,
  targets: [{ upstream, model: Option.none() }],
  hedgeAfter: Option.none(),
  maxHedges: 0
})

/**
 * The routes of the config file with their upstreams looked up by name: an unknown name, or a
 * chain mixing dialects, is an error naming the route.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (
  entries: ReadonlyArray<RouteEntry>,
  upstreams: ReadonlyArray<Upstream>
): Effect.Effect<ReadonlyArray<Route>, ConfigLoadError> =>
  Effect.forEach(entries, (entry, index) => {
    const fail = (reason: string) => Effect.fail(new ConfigLoadError({ key: `routes[${index}]`, reason }))
    const targets: Array<Target> = []
    for (const step of entry.upstreams) {
      const name = typeof step === "string" ? step : step.upstream
      const upstream = upstreams.find((u) => u.name === name)
      if (upstream === undefined) return fail(`no upstream is named ${name}`)
      const first = targets[0]
      if (first !== undefined && first.upstream.dialect !== upstream.dialect) {
        return fail(`the upstreams of a route speak one dialect: ${first.upstream.name} and ${name} differ`)
      }
      targets.push({ upstream, model: Option.fromNullishOr(typeof step === "string" ? undefined : step.model) })
    }
    return Effect.succeed<Route>({
      models: entry.models,
      targets: targets as Arr.NonEmptyArray<Target>,
      hedgeAfter: Option.filter(Option.fromNullishOr(entry.hedgeAfter), Duration.isFinite),
      maxHedges: entry.hedgeAfter === undefined ? 0 : entry.maxHedges ?? 1
    })
  })
