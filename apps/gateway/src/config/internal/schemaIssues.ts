/**
 * A config value that does not decode, in the words start-up has always said it: one line per key
 * path, each `Expected <type>, actual <value>`, `is missing`, `is unexpected, expected: "a" | "b"`,
 * or a schema's own message, a union's alternatives joined with `or`. Effect 4's formatter words
 * the same issues its own way (`got`, `Missing key`) and leaves the value out; operators and the
 * docs go by these words, so the gateway keeps them.
 *
 * @internal
 */
import { ParseIssues } from "@streamguard/core"
import { Array as Arr, Effect, Result, Schema, SchemaAST, SchemaParser } from "effect"
import type { SchemaIssue } from "effect"

const options = { errors: "all", onExcessProperty: "error", reportInput: true } as const

/** One mistake: its key path (`upstreams[0].dialect`, empty for the value as a whole) and what is wrong. */
export interface Mistake {
  readonly path: string
  readonly message: string
}

/** A mistake as one line: `path: message`, or the message alone. */
export const format = (mistake: Mistake): string =>
  mistake.path === "" ? mistake.message : `${mistake.path}: ${mistake.message}`

/**
 * Decodes `input` with `schema`, every mistake reported (keys the schema does not name among
 * them), the first at each path first.
 */
export const decode = <A, I>(
  schema: Schema.Codec<A, I>,
  input: unknown
): Effect.Effect<A, Arr.NonEmptyReadonlyArray<Mistake>> =>
  Effect.mapError(
    Schema.decodeUnknownEffect(schema)(input, options),
    (error) => mistakes(error.issue)
  )

/** Every mistake of an issue, one per key path, in the order found. */
export const mistakes = (issue: SchemaIssue.Issue): Arr.NonEmptyReadonlyArray<Mistake> => {
  const byPath = new Map<string, Array<string>>()
  for (const found of walk(issue, [])) {
    const path = ParseIssues.formatPath(found.keys)
    const messages = byPath.get(path) ?? []
    if (!messages.includes(found.message)) messages.push(found.message)
    byPath.set(path, messages)
  }
  const found = [...byPath].map(([path, messages]) => ({ path, message: messages.join(" or ") }))
  return Arr.isReadonlyArrayNonEmpty(found) ? found : [{ path: "", message: "Invalid data" }]
}

interface Found {
  readonly keys: ReadonlyArray<PropertyKey>
  readonly message: string
}

/** A value as a message shows it: text quoted, a number as written, objects and arrays as JSON. */
export const formatValue = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(formatValue).join(",")}]`
  if (typeof value === "object" && value !== null) {
    return `{${
      Object.keys(value).map((key) => `${JSON.stringify(key)}:${formatValue((value as any)[key])}`).join(",")
    }}`
  }
  return String(value)
}

const expected = (what: string, issue: SchemaIssue.Issue): string =>
  `Expected ${what}, actual ${formatValue("input" in issue ? issue.input : undefined)}`

const walk = (issue: SchemaIssue.Issue, keys: ReadonlyArray<PropertyKey>): Array<Found> => {
  const at = (message: string): Array<Found> => [{ keys, message }]
  switch (issue._tag) {
    case "Pointer":
      return walk(issue.issue, [...keys, ...issue.path])
    case "Encoding":
      return walk(issue.issue, keys)
    case "Composite": {
      // Keys the schema does not know first, as a misspelt key explains the missing one after it.
      const unexpected = issue.issues.filter((child) => innermost(child)._tag === "UnexpectedKey")
      const rest = issue.issues.filter((child) => innermost(child)._tag !== "UnexpectedKey")
      return [...unexpected, ...rest].flatMap((child) => walk(child, keys))
    }
    case "Filter": {
      const message = messageOf(issue.filter.annotations) ?? messageOf(annotationsOf(issue.issue))
      if (message !== undefined) return at(message)
      const what = issue.filter.annotations?.expected
      return typeof what === "string" && issue.issue._tag === "InvalidValue"
        ? at(expected(what, issue.issue))
        : walk(issue.issue, keys)
    }
    case "MissingKey":
      return at(messageOf(issue.annotations, "messageMissingKey") ?? "is missing")
    case "UnexpectedKey":
      return at(`is unexpected, expected: ${fieldNames(issue.ast).map((name) => JSON.stringify(name)).join(" | ")}`)
    case "InvalidType":
      // Not even of the base type (a number for a text): the base type is what to say, not its checks.
      return at(messageOf(SchemaAST.resolve(issue.ast)) ?? expected(baseSignature(issue.ast), issue))
    case "InvalidValue": {
      const message = messageOf(issue.annotations)
      if (message !== undefined) return at(message)
      const what = issue.annotations?.expected
      return at(typeof what === "string" ? expected(what, issue) : "Invalid data")
    }
    case "AnyOf":
      return anyOf(issue, keys)
    case "OneOf":
      return at(`Expected exactly one of ${signature(issue.ast)}, actual ${formatValue(issue.input)}`)
    case "Forbidden":
      return at(messageOf(issue.annotations) ?? "Forbidden operation")
  }
}

/**
 * A value no alternative of a union took: each alternative's own mistakes, in order (the union
 * tried only those of the value's type; the others are asked here, so `5` for a text or an
 * object says what both wanted). A union of literals says them at once, and an optional key's
 * `undefined` is no alternative a person wants named.
 */
const anyOf = (issue: SchemaIssue.AnyOf, keys: ReadonlyArray<PropertyKey>): Array<Found> => {
  const members = issue.ast.types.filter((member) => member._tag !== "Undefined")
  if (members.every((member) => member._tag === "Literal" && member.checks === undefined)) {
    return [{ keys, message: expected(signature(issue.ast), issue) }]
  }
  return members.flatMap((member) => {
    const own = issue.issues.filter((child) => astOf(child) === member)
    if (own.length > 0) return own.flatMap((child) => walk(child, keys))
    const alone = SchemaParser.decodeUnknownResult(Schema.make<Schema.Codec<unknown>>(member))(issue.input, options)
    return Result.isFailure(alone)
      ? walk(alone.failure, keys)
      : [{ keys, message: expected(signature(member), issue) }]
  })
}

const innermost = (issue: SchemaIssue.Issue): SchemaIssue.Issue =>
  issue._tag === "Pointer" ? innermost(issue.issue) : issue

const astOf = (issue: SchemaIssue.Issue): SchemaAST.AST | undefined =>
  issue._tag === "Pointer" || issue._tag === "Encoding" || issue._tag === "Filter"
    ? astOf(issue.issue)
    : "ast" in issue
    ? issue.ast
    : undefined

const annotationsOf = (issue: SchemaIssue.Issue): Schema.Annotations.Annotations | undefined =>
  issue._tag === "InvalidValue" || issue._tag === "Forbidden" || issue._tag === "MissingKey"
    ? issue.annotations
    : undefined

const messageOf = (
  annotations: Schema.Annotations.Annotations | undefined,
  key = "message"
): string | undefined => {
  const message = annotations?.[key]
  return typeof message === "string" ? message : undefined
}

const fieldNames = (ast: SchemaAST.AST): ReadonlyArray<PropertyKey> =>
  ast._tag === "Objects" ? ast.propertySignatures.map((field) => field.name) : []

/**
 * A schema's type as a message names it: its identifier when it has one (`NonEmptyTrimmedString`,
 * `Timeout`), else its shape (`ReadonlyArray<string>`, `{ readonly name: string; ... }`).
 */
export const signature = (ast: SchemaAST.AST): string => SchemaAST.resolveIdentifier(ast) ?? baseSignature(ast)

const baseSignature = (ast: SchemaAST.AST): string => {
  switch (ast._tag) {
    case "Literal":
      return typeof ast.literal === "string" ? JSON.stringify(ast.literal) : String(ast.literal)
    case "Union":
      return ast.types.map(signature).join(" | ")
    case "Arrays": {
      const [element] = ast.elements
      const [rest] = ast.rest
      if (element === undefined) return `ReadonlyArray<${rest === undefined ? "never" : signature(rest)}>`
      const more = rest === undefined ? "never" : rest._tag === "Union" ? `(${signature(rest)})` : signature(rest)
      return `readonly [${signature(element)}, ...${more}[]]`
    }
    case "Objects":
      return objectSignature(ast)
    case "Declaration":
      return ast.typeParameters.length === 1 ? signature(ast.typeParameters[0]!) : "unknown"
    case "Suspend":
      return signature(ast.thunk())
    default:
      return ast._tag.toLowerCase()
  }
}

const objectSignature = (ast: SchemaAST.Objects): string => {
  const fields = ast.propertySignatures.map((field) => {
    // A key with a decoding default is optional in the file, though always there once decoded.
    const optional = SchemaAST.isOptional(SchemaAST.toEncoded(field.type))
    const type = optional && field.type._tag === "Union"
      ? field.type.types.filter((member) => member._tag !== "Undefined").map(signature).join(" | ")
      : signature(field.type)
    return `readonly ${String(field.name)}${optional ? "?" : ""}: ${type}${optional ? " | undefined" : ""}`
  })
  // An index of `never` only refuses the keys the fields do not name: nothing to show.
  const indexes = ast.indexSignatures.filter((index) => index.type._tag !== "Never").map((index) =>
    `readonly [x: ${signature(index.parameter)}]: ${signature(index.type)}`
  )
  return `{ ${[...fields, ...indexes].join("; ")} }`
}
