/**
 * A small table-driven reader for the simulator's JSON: scenarios, steps and request bodies.
 * Each shape is a table of fields; reading checks a value against it, fills defaults, and says
 * every mistake in one line each, with its key path, what was given and what is allowed
 * (`chunks: Expected a whole number, 0 or more, actual "abc"`).
 *
 * Written by hand because the kernel imports no Effect, and so no `Schema`: the Effect lines
 * read the same specs, and a spec must mean the same and be refused in the same words on both.
 * The messages are the ones Effect's `Schema` and StreamGuard's `ParseIssues` gave when the
 * simulator was written on it, so no user sees them change: excess keys first, in the input's
 * order, then each field in the table's order; the alternatives of a union joined with `or`.
 */

/** A key path: `steps[1]._tag`. */
export type Path = ReadonlyArray<string | number>

/** One mistake: where it is (empty for the value as a whole) and what is wrong with it. */
export interface Issue {
  readonly path: Path
  readonly message: string
}

/** What a reader gives for a value it refused (the issues say why). */
export const invalid: unique symbol = Symbol.for("@streamguard/kernel/simulator/invalid")

type Read<A> = (input: unknown, path: Path, issues: Array<Issue>) => A | typeof invalid

/**
 * How to read one value. `A` is what it reads to, `I` what it reads from (for the types of
 * constructors' options); `signature` is the type as a message writes it (`string`,
 * `ReadonlyArray<...>`).
 */
export interface Field<A, I = A> {
  readonly read: Read<A>
  readonly signature: string
  /** Whether the key may be absent from a struct (then it is left out, or gets `fallback`). */
  readonly optional: boolean
  readonly fallback?: (() => A) | undefined
  /** The input type, for the types only. */
  readonly Input?: I
}

/** A value as a message shows it: text quoted, JSON for the rest. */
export const formatUnknown = (value: unknown): string => {
  if (value === undefined) return "undefined"
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

const expected = (signature: string, actual: unknown): string =>
  `Expected ${signature}, actual ${formatUnknown(actual)}`

/** Whether a value is an object with keys (not an array, not `null`). */
export const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** A field of a given type, checked by `is`. */
const primitive = <A>(signature: string, is: (u: unknown) => u is A): Field<A> => ({
  signature,
  optional: false,
  read: (input, path, issues) => {
    if (is(input)) return input
    issues.push({ path, message: expected(signature, input) })
    return invalid
  }
})

/** Text. */
export const string: Field<string> = primitive("string", (u): u is string => typeof u === "string")

/** A number. */
export const number: Field<number> = primitive("number", (u): u is number => typeof u === "number")

/** `true` or `false`. */
export const boolean: Field<boolean> = primitive("boolean", (u): u is boolean => typeof u === "boolean")

/** Anything, as it is. */
export const unknown: Field<unknown> = { signature: "unknown", optional: false, read: (input) => input }

/** Exactly one of these values: `Expected "a" | "b", actual "c"`. */
export const literal = <const L extends ReadonlyArray<string | number | boolean | null>>(
  ...values: L
): Field<L[number]> => {
  const signature = values.map((value) => JSON.stringify(value)).join(" | ")
  return primitive(signature, (u): u is L[number] => values.includes(u as L[number]))
}

/**
 * A count: a whole number, 0 or more, or its text in a spec (`chunks=3`). One message for any
 * mistake, so a wrong count is said once, not per form it could have taken.
 */
export const count: Field<number, number | string> = {
  signature: "Count",
  optional: false,
  read: (input, path, issues) => {
    const value = typeof input === "string" && input.trim() !== "" ? Number(input) : input
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value
    issues.push({ path, message: `Expected a whole number, 0 or more, actual ${formatUnknown(input)}` })
    return invalid
  }
}

/**
 * A duration, read to milliseconds by `parse`: text (`"90s"`, `"2 minutes"`) or a number of
 * milliseconds. Neither text nor a number is said as both alternatives, as Effect says it.
 */
export const duration = (parse: (input: unknown) => number | undefined): Field<number, string | number> => ({
  signature: "DurationInput",
  optional: false,
  read: (input, path, issues) => {
    if (typeof input !== "string" && typeof input !== "number") {
      issues.push({ path, message: expected("string", input) }, { path, message: expected("number", input) })
      return invalid
    }
    const millis = parse(input)
    if (millis !== undefined) return millis
    issues.push({
      path,
      message: `Expected a duration such as "50ms", "2s" or a number of milliseconds, actual ${formatUnknown(input)}`
    })
    return invalid
  }
})

/** The first alternative that reads the value; when none does, every alternative's mistakes. */
export const union = <A, IA, B, IB>(first: Field<A, IA>, second: Field<B, IB>): Field<A | B, IA | IB> => ({
  signature: `${first.signature} | ${second.signature}`,
  optional: false,
  read: (input, path, issues) => {
    const tried: Array<Issue> = []
    const a = first.read(input, path, tried)
    if (a !== invalid) return a
    const b = second.read(input, path, tried)
    if (b !== invalid) return b
    issues.push(...tried)
    return invalid
  }
})

/** A field whose key may be absent. */
export interface OptionalField<A, I> extends Field<A, I> {
  readonly optional: true
}

/** May be absent (or `undefined`): then the key is left out. */
export const optional = <A, I>(field: Field<A, I>): OptionalField<A | undefined, I | undefined> => ({
  ...field,
  optional: true
})

/** May be absent: then it is `fallback()`. */
export const withDefault = <A, I>(field: Field<A, I>, fallback: () => A): OptionalField<A, I | undefined> => ({
  ...field,
  optional: true,
  fallback
})

/** An array of `item`s. */
export const array = <A, I>(item: Field<A, I>): Field<ReadonlyArray<A>, ReadonlyArray<I>> => {
  const signature = `ReadonlyArray<${item.signature}>`
  return {
    signature,
    optional: false,
    read: (input, path, issues) => {
      if (!Array.isArray(input)) {
        issues.push({ path, message: expected(signature, input) })
        return invalid
      }
      let ok = true
      const out = input.map((element, i) => {
        const value = item.read(element, [...path, i], issues)
        if (value === invalid) ok = false
        return value
      })
      return ok ? out as ReadonlyArray<A> : invalid
    }
  }
}

/** An object whose every value is an `item` (`headers`). */
export const record = <A>(item: Field<A>): Field<Readonly<Record<string, A>>> => {
  const signature = `{ readonly [x: string]: ${item.signature} }`
  return {
    signature,
    optional: false,
    read: (input, path, issues) => {
      if (!isRecord(input)) {
        issues.push({ path, message: expected(signature, input) })
        return invalid
      }
      let ok = true
      const out: Record<string, A> = {}
      for (const [key, element] of Object.entries(input)) {
        const value = item.read(element, [...path, key], issues)
        if (value === invalid) ok = false
        else out[key] = value
      }
      return ok ? out : invalid
    }
  }
}

/** A struct's fields, by key, in the order they are checked and written. */
export type Fields = Readonly<Record<string, Field<any, any>>>

type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends { readonly optional: true } ? K : never }[keyof F]

/** What a struct of these fields reads from: optional keys may be left out. */
export type InputOf<F extends Fields> =
  & { readonly [K in Exclude<keyof F, OptionalKeys<F>>]: NonNullable<F[K]["Input"]> }
  & { readonly [K in OptionalKeys<F>]?: F[K]["Input"] }

const signatureOf = (fields: Fields, tag?: string): string => {
  const parts = Object.entries(fields).map(([key, field]) =>
    field.optional ? `readonly ${key}?: ${field.signature} | undefined` : `readonly ${key}: ${field.signature}`
  )
  const all = tag === undefined ? parts : [`readonly _tag: ${JSON.stringify(tag)}`, ...parts]
  return all.length === 0 ? "{}" : `{ ${all.join("; ")} }`
}

/** Reads `input`'s keys against `fields`; `exact` refuses keys the table does not name. */
const readFields = (
  fields: Fields,
  input: Readonly<Record<string, unknown>>,
  path: Path,
  issues: Array<Issue>,
  options: { readonly exact: boolean; readonly tag?: string | undefined }
): Record<string, unknown> | typeof invalid => {
  let ok = true
  if (options.exact) {
    const known = [...(options.tag === undefined ? [] : ["_tag"]), ...Object.keys(fields)]
    const list = known.map((key) => JSON.stringify(key)).join(" | ")
    for (const key of Object.keys(input)) {
      if (!known.includes(key)) {
        issues.push({ path: [...path, key], message: `is unexpected, expected: ${list}` })
        ok = false
      }
    }
  }
  const out: Record<string, unknown> = options.tag === undefined ? {} : { _tag: options.tag }
  for (const [key, field] of Object.entries(fields)) {
    const given = input[key]
    if (given === undefined) {
      if (field.fallback !== undefined) out[key] = field.fallback()
      else if (!field.optional) {
        issues.push({ path: [...path, key], message: "is missing" })
        ok = false
      }
      continue
    }
    const value = field.read(given, [...path, key], issues)
    if (value === invalid) ok = false
    else if (value !== undefined) out[key] = value
  }
  return ok ? out : invalid
}

/** An object with these fields; keys it does not name are ignored (a request body). */
export const struct = <A>(fields: Fields): Field<A> => {
  const signature = signatureOf(fields)
  return {
    signature,
    optional: false,
    read: (input, path, issues) => {
      if (!isRecord(input)) {
        issues.push({ path, message: expected(signature, input) })
        return invalid
      }
      return readFields(fields, input, path, issues, { exact: false }) as A | typeof invalid
    }
  }
}

/**
 * One member of a tagged union: an object whose `_tag` is `tag`, with exactly these fields (a
 * key it does not name is a mistake, so a typo does not silently play the defaults).
 */
export interface Tagged<A, F extends Fields = Fields> extends Field<A, InputOf<F> & { readonly _tag: string }> {
  readonly tag: string
  readonly fields: F
}

/**
 * A tagged member whose fields read to `A`'s: `tagged<Steady>()("Steady", fields)`. The fields
 * are checked against `A`'s keys.
 */
export const tagged =
  <A extends { readonly _tag: string }>() =>
  <const F extends { readonly [K in Exclude<keyof A, "_tag">]-?: Field<A[K], any> }>(
    tag: A["_tag"],
    fields: F
  ): Tagged<A, F> => ({
    tag,
    fields,
    signature: signatureOf(fields, tag),
    optional: false,
    read: (input, path, issues) => {
      if (!isRecord(input)) {
        issues.push({ path, message: expected(signatureOf(fields, tag), input) })
        return invalid
      }
      // Read alone (not through its union), a member still refuses another member's tag.
      if (input._tag === undefined) {
        issues.push({ path: [...path, "_tag"], message: "is missing" })
        return invalid
      }
      if (literal(tag).read(input._tag, [...path, "_tag"], issues) === invalid) return invalid
      return readFields(fields, input, path, issues, { exact: true, tag }) as A | typeof invalid
    }
  })

/**
 * One of these members, told apart by `_tag`: a missing or unknown `_tag` is said as such, and
 * the member's own mistakes otherwise.
 */
export const taggedUnion = <A>(members: ReadonlyArray<Tagged<any, any>>): Field<A> => {
  const signature = members.map((member) => member.signature).join(" | ")
  const tags = literal(...members.map((member) => member.tag))
  return {
    signature,
    optional: false,
    read: (input, path, issues) => {
      if (!isRecord(input)) {
        issues.push({ path, message: expected(signature, input) })
        return invalid
      }
      if (input._tag === undefined) {
        issues.push({ path: [...path, "_tag"], message: "is missing" })
        return invalid
      }
      const member = members.find((candidate) => candidate.tag === input._tag)
      if (member === undefined) return tags.read(input._tag, [...path, "_tag"], issues) as typeof invalid
      return member.read(input, path, issues) as A | typeof invalid
    }
  }
}

/**
 * A key path as config files are read: `steps[1]._tag`, `headers["x-a"]` for a key that is not
 * an identifier.
 */
export const formatPath = (path: Path): string =>
  path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`
    if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${out}[${JSON.stringify(key)}]`
    return out === "" ? key : `${out}.${key}`
  }, "")

/**
 * Every mistake, one line per key path, in the order they were found: `path: message`, the
 * messages of one path joined with `or` (a value that is none of a union's alternatives).
 */
export const lines = (issues: ReadonlyArray<Issue>): Array<string> => {
  const byPath = new Map<string, Array<string>>()
  for (const issue of issues) {
    const path = formatPath(issue.path)
    const messages = byPath.get(path) ?? []
    if (!messages.includes(issue.message)) messages.push(issue.message)
    byPath.set(path, messages)
  }
  return [...byPath].map(([path, messages]) =>
    path === "" ? messages.join(" or ") : `${path}: ${messages.join(" or ")}`
  )
}

/** What a read gave: the value, or every mistake, one line each. */
export type Decoded<A> =
  | { readonly _tag: "Ok"; readonly value: A }
  | { readonly _tag: "Invalid"; readonly lines: ReadonlyArray<string> }

/** Reads `input` with `field`: its value, or every mistake, one line each. */
export const decode = <A>(field: Field<A, any>, input: unknown): Decoded<A> => {
  const issues: Array<Issue> = []
  const value = field.read(input, [], issues)
  return value === invalid ? { _tag: "Invalid", lines: lines(issues) } : { _tag: "Ok", value }
}
