import type * as Kernel from "@streamguard/kernel/protocols/Dialect"
import { decoderOf } from "@streamguard/kernel/protocols/internal/decoder"
import type { Classifier } from "@streamguard/kernel/protocols/internal/framing"
import type { Dialect } from "../Dialect.js"
import { decodeWith } from "./decodeStream.js"

export {
  invalid,
  isObject,
  jsonClassifier,
  nonEmpty,
  parse,
  stringOr,
  typeOf
} from "@streamguard/kernel/protocols/internal/decoder"

/** @internal */
export const decoding = <A>(
  name: Kernel.DialectName,
  framing: "sse" | "ndjson" | "sse-or-json-array",
  makeClassifier: (options: Kernel.DecodeOptions | undefined) => Classifier<A>
): Pick<Dialect<A>, "decode" | "decoder"> => {
  const decoder = decoderOf(name, framing, makeClassifier)
  return { decoder, decode: decodeWith(decoder) }
}
