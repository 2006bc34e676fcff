/**
 * An Effect `Schema` over one of the kernel's readers: decoding runs the kernel's table-driven
 * reader (the one every line shares, so a value is refused in the same words everywhere) and
 * fails with its lines as the `ParseError`'s message; the kernel's values are their own JSON
 * form, so encoding reads the value again and gives it back.
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

/** What a kernel reader gives. */
type Reader<A> = (
  input: unknown
) => { readonly _tag: "Ok"; readonly value: A } | { readonly _tag: "Invalid"; readonly lines: ReadonlyArray<string> }

const readWith = <A>(read: Reader<A>) => (input: unknown, _: unknown, ast: AST.Declaration) => {
  const result = read(input)
  return result._tag === "Ok" ?
    Effect.succeed(result.value) :
    Effect.fail(new ParseResult.Type(ast, input, result.lines.join("; ")))
}

/** The schema of what `read` reads: `A`, decoded from its JSON form `I`. */
export const fromReader = <A, I>(identifier: string, read: Reader<A>): Schema.Schema<A, I> =>
  Schema.declare<A, I, []>([], {
    decode: () => readWith(read),
    encode: () => readWith(read as unknown as Reader<I>)
  }, { identifier })
