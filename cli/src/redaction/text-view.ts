// A range of UTF-8 bytes decoded once for every rule that has to look at it, with the mapping between byte
// offsets (what streams and spans use) and string indices (what regexes return). Decoding each rule's window
// separately cost more than running the rules: in a line dense with key words, the same bytes were decoded
// and unescaped once per rule.

export interface TextView {
  /** The decoded bytes. */
  raw: string;
  /** `raw` with JSON escapes read as spaces of the same length (an escaped quote as spaces and the quote). */
  text: string;
  /** The string index at byte offset `at` of the buffer; inside a multi-byte character, the next character's. */
  indexAt(at: number): number;
  /** The byte offset in the buffer of string index `i`. */
  offsetOf(i: number): number;
}

const ESCAPES = /\\+(?:[nrt"]|u[0-9a-fA-F]{4})/g;
const blank = (e: string) => (e.endsWith('"') ? `${" ".repeat(e.length - 1)}"` : " ".repeat(e.length));

/**
 * Bytes [from, to) of `bytes` (`to` a character boundary). Escapes are blanked when `blankEscapes`, because rules
 * expect a word boundary or a separator around a token, which the `\n` before a key at the start of a line
 * of tool output is not.
 */
export function decodeView(bytes: Buffer, from: number, to: number, blankEscapes: boolean): TextView {
  // Start on a character, not inside a multi-byte one.
  while (from < to && ((bytes[from] as number) & 0xc0) === 0x80) from++;
  let raw = bytes.toString("utf8", from, to);
  let indexOf: Int32Array | undefined;
  let offsetOf: Int32Array | undefined;
  if (raw.length !== to - from) {
    ({ indexOf, offsetOf } = utf8Offsets(bytes, from, to, raw.length));
    // Bytes that are not valid UTF-8 (never in an agent's JSON, but possible in a file) decode to replacement
    // characters whose lengths differ from the bytes': read one character per byte, so offsets stay exact.
    if (!indexOf) raw = bytes.toString("latin1", from, to);
  }
  const text = blankEscapes && raw.includes("\\") ? raw.replace(ESCAPES, blank) : raw;
  return {
    raw,
    text,
    indexAt: (at) => {
      const rel = Math.min(Math.max(at - from, 0), to - from);
      return indexOf ? (indexOf[rel] as number) : rel;
    },
    offsetOf: (i) => from + (offsetOf ? (offsetOf[i] as number) : i),
  };
}

/** Both mappings of valid UTF-8 bytes to the UTF-16 string they decode to; none when the bytes are not valid. */
function utf8Offsets(bytes: Buffer, from: number, to: number, length: number) {
  const indexOf = new Int32Array(to - from + 1);
  const offsetOf = new Int32Array(length + 1);
  let i = 0;
  for (let b = 0; b < to - from; ) {
    const lead = bytes[from + b] as number;
    if (lead < 0x80) {
      indexOf[b] = i;
      offsetOf[i++] = b++;
      continue;
    }
    const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    if (!size || b + size > to - from) return {};
    for (let k = 1; k < size; k++) if (((bytes[from + b + k] as number) & 0xc0) !== 0x80) return {};
    // A four-byte character is two UTF-16 units (a surrogate pair).
    const units = size === 4 ? 2 : 1;
    if (i + units > length) return {};
    indexOf[b] = i;
    for (let k = 1; k < size; k++) indexOf[b + k] = i + units;
    for (let u = 0; u < units; u++) offsetOf[i + u] = b;
    i += units;
    b += size;
  }
  if (i !== length) return {};
  indexOf[to - from] = i;
  offsetOf[i] = to - from;
  return { indexOf, offsetOf };
}
