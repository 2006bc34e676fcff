/**
 * The whole answer of a non-streaming request.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * A 2xx response read to its end: status, headers (lower-case names, repeated values joined with
 * `, `) and the body as text. Its connection was released (back to the pool when complete) before
 * this value existed.
 *
 * @since 0.1.0
 * @category models
 */
export class BatchResponse extends Schema.Class<BatchResponse>("@streamguard/client/BatchResponse")({
  status: Schema.Number,
  headers: Schema.Record(Schema.String, Schema.String),
  text: Schema.String
}) {
  /**
   * The body parsed as JSON and decoded with `schema`.
   *
   * @since 0.1.0
   */
  json<A, I, R>(schema: Schema.Codec<A, I, R>): Effect.Effect<A, Schema.SchemaError, R> {
    return Schema.decodeUnknownEffect(Schema.fromJsonString(schema))(this.text)
  }
}
