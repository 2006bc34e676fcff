/**
 * Effect 4 `Schema`s over the kernel's readers: decoding runs the kernel's table-driven reader (the
 * one every line shares, so a value is refused in the same words everywhere) and fails with its
 * lines as the issue's message; the kernel's values are their own JSON form, so encoding (a
 * declaration reuses its parser when flipped) reads the value again and gives it back.
 */
import { readKind } from "@streamguard/kernel/simulator/Scenario"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"

/** What a kernel reader gives. */
type Reader<A> = (
  input: unknown
) => { readonly _tag: "Ok"; readonly value: A } | { readonly _tag: "Invalid"; readonly lines: ReadonlyArray<string> }

/** The schema of what `read` reads: `A`, decoded from its JSON form `I`. */
export const fromReader = <A, I>(identifier: string, read: Reader<A>): Schema.Codec<A, I> =>
  Schema.declareConstructor<A, I>()([], () => (input) => {
    const result = read(input)
    return result._tag === "Ok" ?
      Effect.succeed(result.value) :
      Effect.fail(new SchemaIssue.InvalidValue({ message: result.lines.join("; ") }))
  }, { identifier })

/** One kind of the kernel's scenarios or steps: its tag, what it reads to, and from. */
type Kind = Parameters<typeof readKind>[0]
type TypeOf<K> = K extends { readonly read: (...args: ReadonlyArray<any>) => infer R } ? Exclude<R, symbol> : never
type InputOf<K> = K extends { readonly Input?: infer I } ? Exclude<I, undefined> : never

/** The schema of one kind of scenario or step, decoding its JSON form with the kernel's table. */
export const fromKind = <K extends Kind>(kind: K): Schema.Codec<TypeOf<K>, InputOf<K>> =>
  fromReader(kind.tag, (input) => readKind(kind, input) as ReturnType<Reader<TypeOf<K>>>)
