/**
 * Framing for a body that is one JSON array streamed element by element, as Gemini's
 * `streamGenerateContent` sends it without `alt=sse` (`[{...}\n,\r\n{...}\n]`): each element is
 * handed to the classifier as it completes, so the stream is read as it arrives and never held
 * whole.
 *
 * Why by hand: the streaming JSON parsers on npm either build the whole document or emit tokens
 * (every key and string), which is more work per byte than finding where each top-level element
 * ends; that needs only the depth of brackets and whether the scan is inside a string.
 *
 * Bytes: an element's bytes are its own plus the separators and whitespace before it (the first
 * also counts the `[`); the closing `]` and what follows it count toward nothing.
 *
 * @internal
 */
import type * as StreamEvent from "../../StreamEvent.js"
import type { DialectName } from "../Dialect.js"
import { eventTooLarge, excerpt, protocolError } from "../ProtocolError.js"
import type { Classifier, Failure, Framer } from "./framing.js"

const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44

const isSpace = (byte: number): boolean => byte === 32 || byte === 10 || byte === 13 || byte === 9

type Where = "start" | "between" | "element" | "ended"

/** @internal */
export class JsonArrayFramer<A> implements Framer<A> {
  private where: Where = "start"
  private depth = 0
  private inString = false
  private escaped = false
  /** The current element's bytes from earlier reads. */
  private fragments: Array<Uint8Array> = []
  private held = 0
  /** Bytes before the current element (separators, whitespace) not yet counted. */
  private pending = 0
  private failure: Failure | undefined
  private readonly decoder = new TextDecoder()

  constructor(
    private readonly dialect: DialectName,
    private readonly limit: number,
    private readonly classifier: Classifier<A>
  ) {}

  push(bytes: Uint8Array, out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    if (this.failure !== undefined) return this.failure
    let start = -1
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!
      switch (this.where) {
        case "start":
          if (isSpace(byte)) this.pending++
          else if (byte === OPEN_BRACKET) {
            this.pending++
            this.where = "between"
          } else return this.fail("the body is not a JSON array", bytes, i)
          break
        case "between":
          if (isSpace(byte) || byte === COMMA) this.pending++
          else if (byte === CLOSE_BRACKET) this.where = "ended"
          else if (byte === OPEN_BRACE) {
            this.where = "element"
            this.depth = 1
            start = i
          } else return this.fail("an array element is not a JSON object", bytes, i)
          break
        case "element":
          if (start === -1) start = i
          if (this.inString) {
            if (this.escaped) this.escaped = false
            else if (byte === BACKSLASH) this.escaped = true
            else if (byte === QUOTE) this.inString = false
          } else if (byte === QUOTE) this.inString = true
          else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++
          else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
            this.depth--
            if (this.depth === 0) {
              const failure = this.element(bytes.subarray(start, i + 1), out)
              if (failure !== undefined) return failure
              start = -1
              this.where = "between"
            }
          }
          break
        case "ended":
          if (!isSpace(byte)) return this.fail("bytes after the end of the array", bytes, i)
      }
    }
    if (this.where === "element" && start !== -1) {
      const rest = bytes.subarray(start)
      if (this.held + rest.length > this.limit) return this.tooLarge()
      this.fragments.push(rest.slice())
      this.held += rest.length
    }
    return undefined
  }

  end(out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    if (this.failure !== undefined) return this.failure
    if (this.where === "element") {
      this.failure = protocolError(
        this.dialect,
        "the body ended inside an array element",
        excerpt(this.decoder.decode(this.joined(new Uint8Array(0))))
      )
      return this.failure
    }
    // A body cut between elements still ends: the classifier decides what its end means.
    this.classifier.end(out)
    return undefined
  }

  private element(tail: Uint8Array, out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    const size = this.held + tail.length
    if (size > this.limit) return this.tooLarge()
    const text = this.decoder.decode(this.joined(tail))
    const bytes = size + this.pending
    this.fragments = []
    this.held = 0
    this.pending = 0
    const failure = this.classifier.frame(out, "message", text, undefined, bytes)
    if (failure !== undefined) this.failure = failure
    return failure
  }

  private joined(tail: Uint8Array): Uint8Array {
    if (this.fragments.length === 0) return tail
    const all = new Uint8Array(this.held + tail.length)
    let at = 0
    for (const fragment of this.fragments) {
      all.set(fragment, at)
      at += fragment.length
    }
    all.set(tail, at)
    return all
  }

  private tooLarge(): Failure {
    this.failure = eventTooLarge(this.dialect, this.limit)
    return this.failure
  }

  private fail(reason: string, bytes: Uint8Array, at: number): Failure {
    this.failure = protocolError(this.dialect, reason, excerpt(this.decoder.decode(bytes.subarray(at, at + 200))))
    return this.failure
  }
}

/**
 * A body that is either SSE or one JSON array, told apart by its first byte that is not
 * whitespace (`[` starts an array; SSE starts with a field name or a `:` comment): Gemini answers
 * `streamGenerateContent` with either, by the request's `alt=sse`.
 *
 * @internal
 */
export class SseOrJsonArrayFramer<A> implements Framer<A> {
  private inner: Framer<A> | undefined
  private held: Array<Uint8Array> = []

  constructor(
    private readonly sse: () => Framer<A>,
    private readonly array: () => Framer<A>
  ) {}

  push(bytes: Uint8Array, out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    if (this.inner !== undefined) return this.inner.push(bytes, out)
    const first = bytes.findIndex((byte) => !isSpace(byte))
    if (first === -1) {
      this.held.push(bytes.slice())
      return undefined
    }
    this.inner = bytes[first] === OPEN_BRACKET ? this.array() : this.sse()
    for (const earlier of this.held) {
      const failure = this.inner.push(earlier, out)
      if (failure !== undefined) return failure
    }
    this.held = []
    return this.inner.push(bytes, out)
  }

  end(out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    return (this.inner ?? this.sse()).end(out)
  }
}
