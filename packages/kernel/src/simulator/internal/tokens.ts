/** The default answer: long enough for a few hundred tokens before it repeats. */
export const corpus = "Streams end in exactly one known way. A healthy stream sends its first token quickly, " +
  "keeps a steady pace, and closes with a clear done signal. A sick one thinks for minutes, stalls after a " +
  "few tokens, pings without progress, or drops the connection halfway. The guard names each ending: done, " +
  "an error signal, a timeout, an interruption, or the consumer stopping. Whatever ends the stream, the " +
  "connection is closed, and the upstream sees the close and stops generating, so no zombie request keeps " +
  "burning tokens nobody will read."

/**
 * Splits text into token-sized pieces the way a BPE tokenizer roughly does: a word with its
 * leading space, long words cut into pieces of a few characters, punctuation on its own.
 */
export const tokenize = (text: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const match of text.matchAll(/\s*[\p{L}\p{N}']+|\s*[^\s\p{L}\p{N}']|\s+$/gu)) {
    const piece = match[0]
    for (let i = 0; i < piece.length; i += 10) {
      out.push(piece.slice(i, i + 10))
    }
  }
  return out
}

const corpusTokens = tokenize(corpus)

/** The `i`-th default token (the corpus repeats). */
export const token = (i: number): string => {
  const piece = corpusTokens[i % corpusTokens.length]!
  return i >= corpusTokens.length && i % corpusTokens.length === 0 ? ` ${piece}` : piece
}
