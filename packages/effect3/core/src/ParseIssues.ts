/**
 * A decoding failure as a person fixes it: one line per mistake, each with the key path, what was
 * given and what is allowed (`upstreams[0].dialect: Expected "openai" | "anthropic", actual
 * "openAI"`), instead of the schema's whole type signature. For config files, env values, request
 * bodies and simulator specs alike.
 *
 * @since 0.1.0
 */
import * as Messages from "@streamguard/kernel/Messages"
import type * as Arr from "effect/Array"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"

/**
 * One mistake: where it is (`upstreams[0].dialect`, empty for the input as a whole) and what is
 * wrong with it, in Effect's own words (`Expected ..., actual ...`, `is missing`, `is unexpected,
 * expected: ...`, or a schema's own message).
 *
 * @since 0.1.0
 * @category models
 */
export interface Issue {
  readonly path: string
  /** The same path as keys (`["upstreams", 0, "dialect"]`), for callers that spell it their own way. */
  readonly keys: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * A key path as config files are read: `upstreams[0].dialect`, `profiles.chat.chunk`, `["a b"]`
 * for a key that is not an identifier (the kernel's rule, shared by every line).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatPath: (path: ReadonlyArray<PropertyKey>) => string = Messages.keyPath

const toArray = (issues: ParseResult.Composite["issues"]): ReadonlyArray<ParseResult.ParseIssue> =>
  (Array.isArray(issues) ? issues : [issues]) as ReadonlyArray<ParseResult.ParseIssue>

const isUndefinedAlternative = (issue: ParseResult.ParseIssue): boolean =>
  issue._tag === "Type" && AST.isUndefinedKeyword(issue.ast)

const isLiteralMiss = (issue: ParseResult.ParseIssue): issue is ParseResult.Type =>
  issue._tag === "Type" && issue.message === undefined && AST.isLiteral(issue.ast)

/**
 * The same issue with each union's failure said once. Effect reports a union by its members' own
 * failures, which for a field of `Schema.optional` includes `Expected undefined` and for a union
 * of literals one line per literal; a person wants the literals together and no `undefined`.
 * A union with a message of its own is left alone: the formatter uses that message.
 */
const simplify = (issue: ParseResult.ParseIssue): ParseResult.ParseIssue => {
  switch (issue._tag) {
    case "Pointer":
      return new ParseResult.Pointer(issue.path, issue.actual, simplify(issue.issue))
    case "Refinement":
      return new ParseResult.Refinement(issue.ast, issue.actual, issue.kind, simplify(issue.issue))
    case "Transformation":
      return new ParseResult.Transformation(issue.ast, issue.actual, issue.kind, simplify(issue.issue))
    case "Composite": {
      const children = toArray(issue.issues).map(simplify)
      if (!AST.isUnion(issue.ast) || Option.isSome(AST.getMessageAnnotation(issue.ast))) {
        return new ParseResult.Composite(issue.ast, issue.actual, children as Arr.NonEmptyArray<any>, issue.output)
      }
      const kept = children.filter((child) => !isUndefinedAlternative(child))
      const members = kept.length > 0 ? kept : children
      if (members.every(isLiteralMiss)) {
        return new ParseResult.Type(AST.Union.make(members.map((member) => member.ast)), issue.actual)
      }
      return members.length === 1
        ? members[0]!
        : new ParseResult.Composite(issue.ast, issue.actual, members as Arr.NonEmptyArray<any>, issue.output)
    }
    default:
      return issue
  }
}

/**
 * Every mistake of a decoding failure, one per key path, in the order the schema found them. A
 * value that matched none of a union's other alternatives gets their messages joined with `or`.
 * Decode with `{ errors: "all" }` to get every mistake, not only the first.
 *
 * @since 0.1.0
 * @category formatting
 */
export const issues = (error: ParseResult.ParseError | ParseResult.ParseIssue): Array<Issue> => {
  const issue = ParseResult.isParseError(error) ? error.issue : error
  const byPath = new Map<string, { readonly keys: ReadonlyArray<PropertyKey>; readonly messages: Array<string> }>()
  for (const found of ParseResult.ArrayFormatter.formatIssueSync(simplify(issue))) {
    const path = formatPath(found.path)
    const seen = byPath.get(path) ?? { keys: found.path, messages: [] }
    if (!seen.messages.includes(found.message)) seen.messages.push(found.message)
    byPath.set(path, seen)
  }
  return [...byPath].map(([path, { keys, messages }]) => ({ path, keys, message: messages.join(" or ") }))
}

/**
 * One issue as a line: `path: message`, or the message alone for the input as a whole.
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (issue: Issue): string => issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`

/**
 * Every mistake of a decoding failure, one line each (`issues`, then `format`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const lines = (error: ParseResult.ParseError | ParseResult.ParseIssue): Array<string> =>
  issues(error).map(format)
