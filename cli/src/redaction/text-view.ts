// A range of UTF-8 bytes decoded once for every rule that has to look at it, with the mapping between byte
// offsets (what streams and spans use) and string indices (what regexes return). Decoding each rule's window
// separately cost more than running the rules: in a line dense with key words, the same bytes were decoded
// and unescaped once per rule.
//
// Rules written in ASCII (all built-in ones) read the bytes one character per byte (latin1): no offsets to
// map, and V8 runs regexes faster over one-byte strings (measured on the bench's dense transcript: +8%, a third
// of its bytes in lines with non-ASCII text). To them a multi-byte character is a few characters that are
// neither word characters nor spaces, as the character itself is — except a continuation byte 0xA0, which
// latin1 reads as a no-break space and which is therefore read as another non-space here. A pattern with
// non-ASCII characters of its own (a user's) needs real characters: then the bytes are decoded as UTF-8.

export interface TextView {
  /** What rules match: the bytes as characters, JSON escapes read as spaces of the same length (an escaped quote as spaces and the quote). */
  text: string;
  /** The text between two indices, decoded as UTF-8: what allow-lists judge. */
  slice(start: number, end: number): string;
  /** The string index at byte offset `at` of the buffer; inside a multi-byte character, the next character's. */
  indexAt(at: number): number;
  /** The byte offset in the buffer of string index `i`. */
  offsetOf(i: number): number;
}

const ESCAPES = /\\+(?:[nrt"]|u[0-9a-fA-F]{4})/g;
const blank = (e: string) => (e.endsWith('"') ? `${" ".repeat(e.length - 1)}"` : " ".repeat(e.length));
// The escapes nearly all lines hold, one level deep, replaced by constants first: V8 does that without a call
// per escape (tool outputs hold thousands of `\n`).
const NEWLINES = /(?<!\\)\\[nrt]/g;
const QUOTES = /(?<!\\)\\"/g;

/** JSON escapes read as spaces of the same length, an escaped quote as spaces and the quote, at any depth. */
export function blankEscapes(raw: string): string {
  const text = raw.replace(NEWLINES, "  ").replace(QUOTES, ' "');
  return text.includes("\\") ? text.replace(ESCAPES, blank) : text;
}
/** 0xA0 as the last byte of a character other than U+00A0 (whose bytes are C2 A0). */
const CONTINUATION_A0 = /(?<!\u00c2)\u00a0/g;

/**
 * Bytes [from, to) of `bytes` (`to` a character boundary). In `json`, escapes are blanked, because rules
 * expect a word boundary or a separator around a token, which the `\n` before a key at the start of a line
 * of tool output is not. `utf8`: decode characters (for patterns that are not all ASCII).
 */
export function decodeView(bytes: Buffer, from: number, to: number, json: boolean, utf8: boolean): TextView {
  // Start on a character, not inside a multi-byte one.
  while (from < to && ((bytes[from] as number) & 0xc0) === 0x80) from++;
  let raw = bytes.toString(utf8 ? "utf8" : "latin1", from, to);
  let offsets: { indexOf: Int32Array; offsetOf: Int32Array } | undefined;
  if (raw.length !== to - from) {
    offsets = utf8Offsets(bytes, from, to, raw.length);
    // Bytes that are not valid UTF-8 (never in an agent's JSON, but possible in a file) decode to replacement
    // characters whose lengths differ from the bytes': read one character per byte, so offsets stay exact.
    if (!offsets) raw = bytes.toString("latin1", from, to);
  }
  let text = json && raw.includes("\\") ? blankEscapes(raw) : raw;
  if (!offsets && text.includes("\u00a0")) text = text.replace(CONTINUATION_A0, "\u00a1");
  if (offsets) {
    const { indexOf, offsetOf } = offsets;
    return {
      text,
      slice: (start, end) => raw.slice(start, end),
      indexAt: (at) => indexOf[Math.min(Math.max(at - from, 0), to - from)] as number,
      offsetOf: (i) => from + (offsetOf[i] as number),
    };
  }
  return {
    text,
    slice: (start, end) => bytes.toString("utf8", from + start, from + end),
    indexAt: (at) => Math.min(Math.max(at - from, 0), to - from),
    offsetOf: (i) => from + i,
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
    if (!size || b + size > to - from) return undefined;
    for (let k = 1; k < size; k++) if (((bytes[from + b + k] as number) & 0xc0) !== 0x80) return undefined;
    // A four-byte character is two UTF-16 units (a surrogate pair).
    const units = size === 4 ? 2 : 1;
    if (i + units > length) return undefined;
    indexOf[b] = i;
    for (let k = 1; k < size; k++) indexOf[b + k] = i + units;
    for (let u = 0; u < units; u++) offsetOf[i + u] = b;
    i += units;
    b += size;
  }
  if (i !== length) return undefined;
  indexOf[to - from] = i;
  offsetOf[i] = to - from;
  return { indexOf, offsetOf };
}
