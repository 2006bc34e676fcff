/**
 * Byte-level framing: SSE (WHATWG) and NDJSON, incremental over network chunks.
 *
 * Why by hand, when eventsource-parser 3 and @effect/experimental's `Sse` exist: both parse
 * decoded *strings*. We need two things they cannot give: the exact wire size of each event
 * (`StreamEvent.bytes`), and a `maxEventBytes` limit counted in bytes that fails *before* more
 * than the limit is held (eventsource-parser's `maxBufferSize` and `Sse`'s `maxEventSize` count
 * UTF-16 units, up to 3x as many bytes, and `Sse` drops comments, which are our keepalives).
 * Both need a scan of the raw bytes for line ends; once that scan has found the lines, the
 * WHATWG field rules are a few comparisons, so running a second parser over the same text would
 * only double the work on the hot path. The test suite checks this framer against
 * eventsource-parser on random input, so the well-kept parser stays the reference.
 *
 * Text decoding: CR and LF bytes never occur inside a multi-byte UTF-8 sequence, so splitting on
 * bytes first means every decode is over complete lines, and a plain (non-streaming)
 * `TextDecoder` is exact however the network split the characters. A line split across network
 * chunks is kept as copied fragments and joined once, when its end arrives (no re-scans).
 *
 * Byte accounting (`bytes` of each event): every wire byte is counted in the first event emitted
 * at or after it. So an SSE block's lines and its closing blank line go to its event, bytes that
 * dispatch nothing (`retry:`, a blank line after a comment) go to the next event, and the LF of
 * a CRLF goes to whatever follows it. The rule does not depend on where the network split the
 * bytes, so re-chunking never changes the events.
 */
import * as StreamEvent from "../../StreamEvent.js"
import type { Decoder } from "../Dialect.js"
import type { DecodeFailure, ProtocolError } from "../ProtocolError.js"
import { eventTooLarge, excerpt, protocolError } from "../ProtocolError.js"

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32

/** The fields whose values an event keeps, so whose lines count toward `maxEventBytes`. */
const keptFields = ["data", "event", "id"].map((name) => Array.from(name, (char) => char.charCodeAt(0)))

/** Scratch for the first bytes of an unfinished line: framing is synchronous, so one serves all. */
const lineHead = new Uint8Array(6)

/** @internal */
export type Failure = DecodeFailure

/**
 * Turns frames into events. One per decoded stream, so it may keep per-stream state.
 *
 * @internal
 */
export interface Classifier<A> {
  /**
   * One dispatched SSE event (`type` defaults to `message`, `id` is the last event ID) or one
   * NDJSON line (`type` is ""). Pushes the events it means to `out`; returns a failure to stop
   * decoding.
   */
  readonly frame: (
    out: Array<StreamEvent.StreamEvent<A>>,
    type: string,
    data: string,
    id: string | undefined,
    bytes: number
  ) => ProtocolError | undefined
  /** The bytes ended cleanly: push what an implicit end means (Gemini's `Done`). */
  readonly end: (out: Array<StreamEvent.StreamEvent<A>>) => void
}

/**
 * A dialect's `Decoder`: the framing, with the dialect's classifier inside.
 *
 * @internal
 */
export type Framer<A> = Decoder<A>

/** A UTF-8 decoder: a `TextDecoder`. */
type Utf8 = { decode(input: Uint8Array): string }

/**
 * The UTF-8 text of `buf[start, end)`. A Node `Buffer` (what a socket reads) decodes a slice in
 * place; any other `Uint8Array` goes through the `TextDecoder`. Lines never split a character here
 * (they are cut at CR and LF bytes), so neither needs a streaming decoder.
 */
const text = (decoder: Utf8, buf: Uint8Array, start: number, end: number): string =>
  isBuffer(buf) ? buf.toString("utf8", start, end) : decoder.decode(buf.subarray(start, end))

/** Reads decoded range by range after one with a multi-byte character, before trying whole again. */
const skipAfterMultiByte = 8

/**
 * The text of byte ranges of one network read. Decoding each field on its own was a decoder call
 * per frame, the largest cost of framing after `JSON.parse`: the read is decoded once, when its
 * first line is looked for, and each range is a slice of that string (and the SSE framer finds
 * its line ends in it, not through a `Buffer` call per line). The offsets agree when every byte of the read
 * decoded to one UTF-16 unit (ASCII, as JSON mostly is, or a lone invalid byte): no UTF-8
 * sequence and no replacement decodes to more units than it has bytes, so a string as long as
 * the read has one unit per byte. Otherwise (any multi-byte character) each range is decoded on
 * its own, and so are the next few reads' (a stream in a language beyond ASCII would pay for both
 * decodes). The read and its text are let go when the framer is done with it: an idle stream
 * holds neither.
 */
class ReadText {
  private read: Uint8Array | undefined = undefined
  /** The read decoded whole: `null` when its offsets do not agree with the bytes'. */
  private decoded: string | null | undefined = undefined
  /** Reads left to decode range by range, after one that was not one byte per unit. */
  private skip = 0

  constructor(private readonly decoder: Utf8) {}

  begin(read: Uint8Array): void {
    if (this.skip > 0) this.skip--
    else this.read = read
  }

  finish(): void {
    this.read = undefined
    this.decoded = undefined
  }

  /**
   * `buf` decoded whole, when it is the read and each of its bytes is one unit of the string (so
   * its offsets are the bytes'); else `null`.
   */
  whole(buf: Uint8Array): string | null {
    if (buf !== this.read) return null
    if (this.decoded === undefined) {
      const decoded = isBuffer(buf) ? buf.toString("utf8") : this.decoder.decode(buf)
      this.decoded = decoded.length === buf.length ? decoded : null
      if (this.decoded === null) this.skip = skipAfterMultiByte
    }
    return this.decoded
  }

  /** The text of `buf[start, end)`: bounded by ASCII bytes (a field's colon or space, its line's end). */
  of(buf: Uint8Array, start: number, end: number): string {
    const whole = this.whole(buf)
    return whole === null ? text(this.decoder, buf, start, end) : whole.slice(start, end)
  }
}

const isBuffer = (buf: Uint8Array): buf is Buffer => typeof Buffer !== "undefined" && Buffer.isBuffer(buf)

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const concat = (fragments: Array<Uint8Array>, total: number, tail: Uint8Array): Uint8Array => {
  const line = new Uint8Array(total + tail.length)
  let at = 0
  for (const fragment of fragments) {
    line.set(fragment, at)
    at += fragment.length
  }
  line.set(tail, at)
  return line
}

/**
 * SSE per the WHATWG EventSource parsing rules: lines end at CRLF, LF or CR; a leading BOM is
 * skipped; `data` lines join with `\n`; `event` names the type (default `message`); `id` sets the
 * last event ID that every event from then on carries, until the next `id` (values with NUL
 * ignored), even from a block without data; `retry` is read and ignored, since nothing here
 * reconnects; unknown fields are ignored; a blank line dispatches when data was given. Comments become
 * `Keepalive` events at once, not at the end of their block, so a server that sends bare
 * comment lines still proves it lives. An event left without its blank line at EOF is dropped,
 * as the spec says: the stream was cut inside it.
 *
 * One deviation: when the first line of the body starts with `{` or `[`, the body is JSON, not
 * SSE (an error body sent with status 200, or Gemini without `alt=sse`); the spec would ignore
 * every line and report a silent truncation, we fail with a `ProtocolError` that says so, with or
 * without a line end after the JSON.
 *
 * @internal
 */
export class SseFramer<A> implements Framer<A> {
  // ignoreBOM: otherwise every decode() drops a U+FEFF that starts a value; the stream's BOM is
  // skipped by hand, once.
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true })
  private readonly text = new ReadText(this.decoder)
  private fragments: Array<Uint8Array> = []
  private fragmentBytes = 0
  private skipLF = false
  private firstLine = true
  private sawField = false
  /** Bytes of the current block's lines that it keeps (data, event, id), against the limit. */
  private blockBytes = 0
  /** Bytes not yet counted in an emitted event. */
  private carry = 0
  private data = ""
  private dataLines = 0
  private eventType = ""
  /** The last event ID (WHATWG): set by any `id` field, with data in its block or not, and kept. */
  private id: string | undefined = undefined
  private out: Array<StreamEvent.StreamEvent<A>> = []
  private failure: Failure | undefined = undefined

  constructor(
    private readonly dialect: string,
    private readonly limit: number,
    private readonly classifier: Classifier<A>
  ) {}

  push(chunk: Uint8Array, out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    this.text.begin(chunk)
    const failure = this.scan(chunk, out)
    this.text.finish()
    return failure
  }

  private scan(chunk: Uint8Array, out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    this.out = out
    const length = chunk.length
    let pos = 0
    if (this.skipLF && length > 0) {
      this.skipLF = false
      if (chunk[0] === LF) {
        pos = 1
        this.carry++
      }
    }
    // Positions of the next LF and CR, searched once per chunk each: re-searching both from
    // every line would rescan the rest of the chunk for the character that is absent.
    let nextLF = -2
    let nextCR = -2
    while (pos < length) {
      if (nextLF !== -1 && nextLF < pos) {
        const whole = this.text.whole(chunk)
        nextLF = whole === null ? chunk.indexOf(LF, pos) : whole.indexOf("\n", pos)
      }
      if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf(CR, pos)
      let end: number
      if (nextLF === -1) {
        if (nextCR === -1) return this.keep(chunk, pos)
        end = nextCR
      } else {
        end = nextCR === -1 || nextLF < nextCR ? nextLF : nextCR
      }
      const lineBytes = end + 1 - pos + this.fragmentBytes
      // No one line may pass the limit; the lines an event keeps add up toward it in `line`.
      if (lineBytes > this.limit) return this.tooLarge()
      // The common frame, `data: <one line>` and its blank line whole in this read, at a block's
      // start: classified straight away, without the general line-by-line bookkeeping.
      if (
        this.fragmentBytes === 0 && this.blockBytes === 0 && this.eventType === "" && !this.firstLine &&
        chunk[end] === LF && chunk[end + 1] === LF && chunk[pos] === 0x64 && chunk[pos + 1] === 0x61 &&
        chunk[pos + 2] === 0x74 && chunk[pos + 3] === 0x61 && chunk[pos + 4] === COLON
      ) {
        const bytes = this.carry + lineBytes + 1
        this.carry = 0
        this.sawField = true
        const failure = this.classifier.frame(out, "message", this.value(chunk, pos + 4, end), this.id, bytes)
        if (failure !== undefined) return this.failure = failure
        pos = end + 2
        continue
      }
      if (this.fragmentBytes > 0) {
        const line = concat(this.fragments, this.fragmentBytes, chunk.subarray(pos, end))
        this.fragments = []
        this.fragmentBytes = 0
        this.line(line, 0, line.length, lineBytes)
      } else {
        this.line(chunk, pos, end, lineBytes)
      }
      if (this.failure !== undefined) return this.failure
      pos = end + 1
      if (chunk[end] === CR) {
        if (pos === length) this.skipLF = true
        else if (chunk[pos] === LF) {
          pos++
          this.carry++
        }
      }
    }
    return undefined
  }

  end(out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    this.out = out
    // A JSON body need not end its line: a body that is one unfinished line of JSON is that body.
    if (!this.sawField && this.fragmentBytes > 0) {
      const line = concat(this.fragments, this.fragmentBytes, new Uint8Array(0))
      this.fragments = []
      this.fragmentBytes = 0
      const start = this.firstLine && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf ? 3 : 0
      if (line[start] === 0x7b || line[start] === 0x5b) return this.jsonBody(line, start, line.length)
    }
    // Data of an event without its closing blank line is dropped (WHATWG): the stream was cut.
    this.classifier.end(out)
    return undefined
  }

  private keep(chunk: Uint8Array, pos: number): Failure | undefined {
    const rest = chunk.length - pos
    const held = this.blockBytes > 0 && this.keepsValue(chunk, pos) ? this.blockBytes : 0
    if (held + this.fragmentBytes + rest > this.limit) return this.tooLarge()
    // A copy, so a small fragment does not pin the whole network buffer.
    this.fragments.push(chunk.slice(pos))
    this.fragmentBytes += rest
    return undefined
  }

  /**
   * Whether the unfinished line (the fragments, then `chunk` from `pos`) is a field whose value
   * the event keeps (`data`, `event`, `id`), as far as its first bytes tell: a name without its
   * colon yet is at most 5 bytes, and counts once its line ends. Decided on the line's bytes alone,
   * so where the network split them never changes whether the limit is crossed.
   */
  private keepsValue(chunk: Uint8Array, pos: number): boolean {
    const head = lineHead
    let n = 0
    for (const fragment of this.fragments) {
      for (let i = 0; i < fragment.length && n < 6; i++) head[n++] = fragment[i]!
    }
    for (let i = pos; i < chunk.length && n < 6; i++) head[n++] = chunk[i]!
    return keptFields.some((name) =>
      n > name.length && head[name.length] === COLON && name.every((byte, i) => head[i] === byte)
    )
  }

  private tooLarge(): Failure {
    this.fragments = []
    this.fragmentBytes = 0
    this.data = ""
    this.failure = eventTooLarge(this.dialect, this.limit)
    return this.failure
  }

  private line(buf: Uint8Array, start: number, end: number, lineBytes: number): void {
    this.carry += lineBytes
    if (this.firstLine) {
      this.firstLine = false
      if (buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3
    }
    if (start === end) return this.dispatch()
    const first = buf[start]
    if (first === COLON) {
      this.out.push(StreamEvent.Keepalive<A>({ bytes: this.carry }))
      this.carry = 0
      return
    }
    if (!this.sawField) {
      this.sawField = true
      if (first === 0x7b || first === 0x5b) {
        this.failure = this.jsonBody(buf, start, end)
        return
      }
    }
    // Fast paths for the fields that matter; the general rule below covers the rest.
    if (
      first === 0x64 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61 &&
      (start + 4 === end || buf[start + 4] === COLON)
    ) {
      if (this.hold(lineBytes)) return
      return this.addData(this.value(buf, start + 4, end))
    }
    if (
      first === 0x65 && buf[start + 1] === 0x76 && buf[start + 2] === 0x65 && buf[start + 3] === 0x6e &&
      buf[start + 4] === 0x74 && (start + 5 === end || buf[start + 5] === COLON)
    ) {
      if (this.hold(lineBytes)) return
      this.eventType = this.value(buf, start + 5, end)
      return
    }
    if (first === 0x69 && buf[start + 1] === 0x64 && (start + 2 === end || buf[start + 2] === COLON)) {
      if (this.hold(lineBytes)) return
      const id = this.value(buf, start + 2, end)
      if (!id.includes("\0")) this.id = id
      return
    }
    // `retry` (reconnection delay) and unknown fields: ignored, per the spec, and held nowhere, so
    // like comments they count nothing toward the limit.
  }

  /** Counts a line the event keeps toward the limit; true when that crosses it (the failure is set). */
  private hold(lineBytes: number): boolean {
    this.blockBytes += lineBytes
    if (this.blockBytes <= this.limit) return false
    this.tooLarge()
    return true
  }

  /** The failure of a body whose first line, `buf[start, end)`, is JSON: an error body sent as a stream. */
  private jsonBody(buf: Uint8Array, start: number, end: number): ProtocolError {
    return protocolError(
      this.dialect,
      "the body is JSON, not an SSE stream",
      excerpt(this.decoder.decode(buf.subarray(start, Math.min(end, start + 200))))
    )
  }

  /** The value after a field name ending at `at`: after the colon and at most one space. */
  private value(buf: Uint8Array, at: number, end: number): string {
    if (at >= end) return ""
    at++
    if (buf[at] === SPACE) at++
    return at >= end ? "" : this.text.of(buf, at, end)
  }

  private addData(value: string): void {
    this.data = this.dataLines === 0 ? value : this.data + "\n" + value
    this.dataLines++
  }

  private dispatch(): void {
    this.blockBytes = 0
    if (this.dataLines === 0) {
      this.eventType = ""
      return
    }
    const bytes = this.carry
    const data = this.data
    this.carry = 0
    this.data = ""
    this.dataLines = 0
    const type = this.eventType === "" ? "message" : this.eventType
    this.eventType = ""
    const failure = this.classifier.frame(this.out, type, data, this.id, bytes)
    if (failure !== undefined) this.failure = failure
  }
}

/**
 * NDJSON: one JSON value per LF-terminated line; a CR before the LF is dropped; blank lines are
 * skipped (their bytes go to the next event). A last line without its LF at EOF is decoded when
 * it is whole JSON (a server may omit the final LF) and dropped when it is not (the connection
 * was cut inside it: a truncation, which the guard reports, not bad JSON).
 *
 * @internal
 */
export class NdjsonFramer<A> implements Framer<A> {
  // ignoreBOM: otherwise every decode() drops a U+FEFF that starts a value; the stream's BOM is
  // skipped by hand, once.
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true })
  private readonly text = new ReadText(this.decoder)
  private fragments: Array<Uint8Array> = []
  private fragmentBytes = 0
  private carry = 0
  private firstLine = true

  constructor(
    private readonly dialect: string,
    private readonly limit: number,
    private readonly classifier: Classifier<A>
  ) {}

  push(chunk: Uint8Array, out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    this.text.begin(chunk)
    const failure = this.scan(chunk, out)
    this.text.finish()
    return failure
  }

  private scan(chunk: Uint8Array, out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    const length = chunk.length
    let pos = 0
    while (pos < length) {
      const end = chunk.indexOf(LF, pos)
      if (end === -1) {
        const rest = length - pos
        if (this.fragmentBytes + rest > this.limit) return this.tooLarge()
        this.fragments.push(chunk.slice(pos))
        this.fragmentBytes += rest
        return undefined
      }
      const lineBytes = end + 1 - pos + this.fragmentBytes
      if (lineBytes > this.limit) return this.tooLarge()
      let failure: ProtocolError | undefined
      if (this.fragmentBytes > 0) {
        const line = concat(this.fragments, this.fragmentBytes, chunk.subarray(pos, end))
        this.fragments = []
        this.fragmentBytes = 0
        failure = this.line(out, line, 0, line.length, lineBytes)
      } else {
        failure = this.line(out, chunk, pos, end, lineBytes)
      }
      if (failure !== undefined) return failure
      pos = end + 1
    }
    return undefined
  }

  end(out: Array<StreamEvent.StreamEvent<A>>): Failure | undefined {
    if (this.fragmentBytes > 0) {
      const line = concat(this.fragments, this.fragmentBytes, new Uint8Array(0))
      const bytes = this.fragmentBytes
      this.fragments = []
      this.fragmentBytes = 0
      // A last line cut short by the connection is a truncation, not bad JSON: drop it.
      if (isJson(this.decoder.decode(line))) {
        const failure = this.line(out, line, 0, line.length, bytes)
        if (failure !== undefined) return failure
      }
    }
    this.classifier.end(out)
    return undefined
  }

  private tooLarge(): Failure {
    this.fragments = []
    this.fragmentBytes = 0
    return eventTooLarge(this.dialect, this.limit)
  }

  private line(
    out: Array<StreamEvent.StreamEvent<A>>,
    buf: Uint8Array,
    start: number,
    end: number,
    lineBytes: number
  ): ProtocolError | undefined {
    this.carry += lineBytes
    if (this.firstLine) {
      this.firstLine = false
      if (buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3
    }
    if (end > start && buf[end - 1] === CR) end--
    let first = start
    while (first < end && (buf[first] === SPACE || buf[first] === 9)) first++
    if (first === end) return undefined
    const bytes = this.carry
    this.carry = 0
    return this.classifier.frame(out, "", this.text.of(buf, start, end), undefined, bytes)
  }
}
