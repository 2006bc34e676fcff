/**
 * A decoding failure as a person fixes it: one line per mistake, each with the key path and what is
 * allowed (`upstreams[0].dialect: Expected "openai" | "anthropic"`), instead of the schema's whole
 * type signature. The value given is said only when the decode asked Effect to keep it
 * (`reportInput`), so a secret stays out of the lines by default. For config files, env values, request
 * bodies and simulator specs alike.
 *
 * @since 0.1.0
 */
import * as Messages from "@streamguard/kernel/Messages"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"

/**
 * One mistake: where it is (`upstreams[0].dialect`, empty for the input as a whole) and what is
 * wrong with it, in Effect's own words (`Expected ..., got ...`, `Missing key`, `Unexpected key`,
 * or a schema's own message).
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

// Effect's Standard Schema formatter already says a union of literals once ("Expected "a" | "b"")
// and reports each mistake at its own path; what is left is to say each path once.
const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Every mistake of a decoding failure, one per key path, in the order the schema found them. A
 * value that matched none of a union's alternatives gets their messages joined with `or`.
 * Decode with `{ errors: "all" }` to get every mistake, not only the first.
 *
 * @since 0.1.0
 * @category formatting
 */
export const issues = (error: Schema.SchemaError | SchemaIssue.Issue): Array<Issue> => {
  const issue = Schema.isSchemaError(error) ? error.issue : error
  const byPath = new Map<string, { readonly keys: ReadonlyArray<PropertyKey>; readonly messages: Array<string> }>()
  for (const found of formatter(issue).issues) {
    const keys = (found.path ?? []).map((key) => typeof key === "object" ? key.key : key)
    const path = formatPath(keys)
    const seen = byPath.get(path) ?? { keys, messages: [] }
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
export const lines = (error: Schema.SchemaError | SchemaIssue.Issue): Array<string> => issues(error).map(format)
