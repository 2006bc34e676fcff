/**
 * What the client hands undici's `dispatch()` for one attempt, in types of its own: the kernel
 * depends on no undici at run time, and each Effect line passes the dispatcher of the undici it
 * ships (undici 7 on Effect 3, undici 8 on Effect 4), whose types fit these.
 *
 * @since 0.1.0
 */
import { Readable } from "node:stream"

/**
 * A request body as undici takes it. (undici takes a `FormData` too, but each undici has a type of
 * its own for it: a line passes one as this type.)
 *
 * @since 0.1.0
 * @category models
 */
export type Body = string | Uint8Array | Readable | null

/**
 * The options of one dispatch: the fields the client sets.
 *
 * @since 0.1.0
 * @category models
 */
export interface DispatchOptions {
  readonly origin: string
  readonly path: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Body
  /** Always 0: only the policy decides when a wait is too long. */
  readonly headersTimeout: number
  /** Always 0, as `headersTimeout`. */
  readonly bodyTimeout: number
}

/**
 * Anything that dispatches: an undici `Agent`, `Pool`, `Client` (of undici 7 or 8), or a
 * platform's dispatcher built on one.
 *
 * @since 0.1.0
 * @category models
 */
export interface Dispatcher {
  dispatch(options: DispatchOptions, handler: object): boolean
}

/**
 * The dispatch options of a request to `url`. undici's own headers and body timers stay off: only
 * the policy decides when a wait is too long.
 *
 * @since 0.1.0
 * @category constructors
 */
export const options = (
  url: URL,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: Body
): DispatchOptions => ({
  origin: url.origin,
  path: url.pathname + url.search,
  method,
  headers,
  body,
  headersTimeout: 0,
  bodyTimeout: 0
})

/**
 * A body given as bytes is handed to undici in pieces of at most this size, so that the `write`
 * phase sees the socket's backpressure.
 *
 * @since 0.1.0
 * @category constants
 */
export const bodyPieceBytes = 16 * 1024

const piecewise = async function*(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += bodyPieceBytes) yield bytes.subarray(at, at + bodyPieceBytes)
}

/**
 * A body of bytes as undici should get it: whole when small, else a stream of pieces.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bytesBody = (bytes: Uint8Array): Body =>
  bytes.length > bodyPieceBytes ? Readable.from(piecewise(bytes)) : bytes
