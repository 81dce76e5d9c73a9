// The redaction core: pure functions over bytes, no I/O. A transcript is redacted line by line (JSONL, and
// pretty-printed JSON, whose strings never span lines); a line longer than a window (a whole-file JSON
// export on one line) is redacted window by window with an overlap, so memory stays bounded either way.
// In "json" mode a secret is replaced only inside a JSON string and never through half an escape, so every
// line that was valid JSON stays valid JSON of the same shape.
//
// It works on UTF-8 bytes because that is what streams carry and what is fast to scan: a line in which no
// rule's keyword occurs is passed on without being decoded, and only the windows around keywords become
// strings for the rules' regexes.
import { Buffer } from "node:buffer";
import { REDACTION_RULE_NAME } from "@residue/protocol";
import { GITLEAKS } from "./gitleaks-rules.ts";
import { createKeywordScanner } from "./keywords.ts";
import { type RegexData, type RuleData, type RuleTable, TRANSCRIPT_RULES } from "./rules.ts";
import { decodeView, type TextView } from "./text-view.ts";

export interface RedactionOptions {
  /** "json": JSONL or JSON text, redacted inside string values only. "text": anything else (titles, prompts). */
  format: "json" | "text";
  /** Rule tables to use; gitleaks' and residue's own by default. */
  tables?: RuleTable[];
  /** The user's own patterns: each match (or its first group) becomes `[REDACTED:<name>]`. */
  patterns?: { name: string; regex: string }[];
  /** Values never redacted: exact strings, and regexes a whole secret must match. */
  allow?: { strings?: string[]; regexes?: string[] };
}

export interface LineResult {
  text: string;
  /** The rule of each value redacted, in order. */
  hits: string[];
}

export interface RedactionStream {
  /** Takes the next bytes; returns what can be passed on so far (whole lines, or whole windows of a long one). */
  write(chunk: Uint8Array): Uint8Array;
  /** Returns the rest. */
  end(): Uint8Array;
  /** Values redacted so far, per rule. */
  readonly counts: Map<string, number>;
}

export interface Redactor {
  /** For short text held as a string: a title, a prompt, a search row, one JSONL line. */
  redactLine(line: string): LineResult;
  stream(): RedactionStream;
  redactChunks(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array>;
}

/** Lines longer than this are redacted in windows; a secret longer than the overlap may be missed at a window edge. */
export const WINDOW = 1 << 20;
export const OVERLAP = 32 * 1024;
/** How far before a keyword a match may start: some tokens carry their keyword inside (OpenAI's `T3BlbkFJ`). */
const BEFORE = 128;
/** Rules that catch anything near a key word: where a specific rule finds the same secret, its name is kept. */
const GENERIC = new Set(["generic-api-key", "keyword-secret", "env-secret", "authorization-header"]);
const QUOTE = 34;
/** `[\w.-]`, by character code. */
const IDENTIFIER = new Uint8Array(128).map((_, c) => Number(/[\w.-]/.test(String.fromCharCode(c))));
const BACKSLASH = 92;

interface Compiled {
  id: string;
  re: RegExp;
  keywords: string[];
  secretGroup?: number;
  entropy?: number;
  /** Whether a secret is allowed by a regex of the rule's or of every rule's. */
  allowSecret: (secret: string) => boolean;
  allowMatch: (match: string) => boolean;
  /** Whether the secret contains one of the rule's stop words (gitleaks' generic rule has ~1,400). */
  stopword: (secret: string) => boolean;
  /** How far before a keyword a match may start. */
  before: number;
  /**
   * How long an identifier before the keyword the rule's pattern allows (gitleaks' `[\w.-]{0,50}?`): tried
   * at the keyword, the match leaves it out, but allow-lists judge the match with it (`primary_key`).
   */
  identifier: number;
  /** How far past a keyword a match may reach before a quote can end it. */
  reach: number;
}

interface Span {
  start: number;
  end: number;
  rule: string;
}

const compile = (r: RegexData, extra = "") => new RegExp(r.source, r.flags + extra);

function containsAny(words: string[]): (text: string) => boolean {
  if (!words.length) return () => false;
  const scanner = createKeywordScanner(words);
  return (text) => scanner.occursIn(text);
}

/**
 * Tests for any of `res` with as few regexes as possible (candidates are many in a dense transcript): those of
 * the same flags joined into one. A source with back-references (renumbered by joining), named groups (which
 * could clash) or an inline `(?i:` modifier stays alone: V8 (Node 24, Deno) misses matches of `x|(?i:…)` that
 * the modifier group alone finds.
 */
function anyOf(res: RegExp[]): (text: string) => boolean {
  const alone = (re: RegExp) => /\\[1-9]|\\k<|\(\?<[A-Za-z_$]|\(\?-?[a-z]+[:)-]/.test(re.source);
  const byFlags = new Map<string, string[]>();
  for (const re of res) if (!alone(re)) byFlags.set(re.flags, [...(byFlags.get(re.flags) ?? []), `(?:${re.source})`]);
  const tests = [...res.filter(alone), ...[...byFlags].map(([flags, sources]) => new RegExp(sources.join("|"), flags))];
  return (text) => tests.some((re) => re.test(text));
}

/**
 * An allow-list regex is only asked whether it matches anywhere, so the run a class opens an alternative with
 * may be cut to what a match needs (a match starting later within the run matches the same): `[c]*?` and
 * `[c]*` go, `[c]+` keeps one character, also inside a group that opens an alternative. Left in, V8 retries
 * the run from every position of every candidate: gitleaks' generic allow-list (`[a-z0-9-]*?api…`,
 * `[A-Z_]+=\n[A-Z_]+=`) was the costliest regex of a dense transcript.
 */
export function withoutLeadingLazyClasses(source: string): string {
  // A shorter captured text would change what a back-reference matches.
  if (/\\[1-9]|\\k</.test(source)) return source;
  return alternativesOf(source).map(shortenRun).join("|");
}

function shortenRun(alternative: string): string {
  const a = alternative;
  if (a.startsWith("[")) {
    const end = classEnd(a, 0) + 1;
    if (a.startsWith("*?", end)) return shortenRun(a.slice(end + 2));
    if (a[end] === "*") return shortenRun(a.slice(end + 1));
    if (a.startsWith("+?", end)) return a.slice(0, end) + a.slice(end + 2);
    if (a[end] === "+") return a.slice(0, end) + a.slice(end + 1);
    return a;
  }
  const open = /^\((?:\?(?::|[a-z]*-?[a-z]+:|<[A-Za-z_$][\w$]*>))?/.exec(a)?.[0];
  if (!open) return a;
  const close = closingParen(a, 0);
  // Lookarounds, and groups that repeat or may be left out, stay as they are.
  if (close === -1 || /^[*+?{]/.test(a.slice(close + 1))) return a;
  return `${open}${withoutLeadingLazyClasses(a.slice(open.length, close))}${a.slice(close)}`;
}

/** The top-level alternatives of a regex. */
function alternativesOf(re: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === "\\") i++;
    else if (c === "[") i = classEnd(re, i);
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      alternatives.push(re.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(re.slice(start));
  return alternatives;
}

/** The index of the `]` closing the class opened at `at` (in JavaScript, a `]` right after `[` or `[^` closes it). */
function classEnd(re: string, at: number): number {
  let i = at + 1;
  if (re[i] === "^") i++;
  for (; i < re.length && re[i] !== "]"; i++) if (re[i] === "\\") i++;
  return i;
}

/** The index of the `)` closing the group opened at `at`. */
function closingParen(re: string, at: number): number {
  let depth = 0;
  for (let i = at; i < re.length; i++) {
    const c = re[i];
    if (c === "\\") i++;
    else if (c === "[") i = classEnd(re, i);
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return -1;
}

/** `everyRule`: regexes that allow a secret whatever the rule. */
function compileRule(r: RuleData, everyRule: RegExp[]): Compiled {
  const lists = r.allow ?? [];
  const of = (target: string) =>
    lists
      .filter((a) => a.target === target)
      .flatMap((a) => a.regexes.map((x) => compile({ ...x, source: withoutLeadingLazyClasses(x.source) })));
  // gitleaks' "identifier, keyword, value" rules start with an identifier that is never the secret: tried once
  // at each keyword (sticky), they find the same values without a lazy 50-character prefix at every position.
  const anchored = r.keywords.length > 0 && r.source.startsWith("[\\w.-]{0,50}?");
  return {
    id: r.id,
    re: compile(r, anchored ? "dgy" : "dg"),
    keywords: r.keywords,
    secretGroup: r.secretGroup,
    entropy: r.entropy,
    allowSecret: anyOf([...everyRule, ...of("secret")]),
    allowMatch: anyOf(of("match")),
    stopword: containsAny(lists.flatMap((a) => a.stopwords)),
    before: anchored ? 0 : (r.before ?? BEFORE),
    identifier: anchored ? 50 : 0,
    // Rules that may match across anything (key blocks, curl commands) get a long reach.
    reach: /\[\\s\\S\]|\.[*+{]|\(\?s/.test(r.source) ? WINDOW / 2 : 256,
  };
}

// Counts per character, reset after each use; the candidates are short and many.
const charCounts = new Int32Array(65536);
function shannonEntropy(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    charCounts[c] = (charCounts[c] as number) + 1;
  }
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const n = charCounts[c] as number;
    if (!n) continue;
    const p = n / s.length;
    bits -= p * Math.log2(p);
    charCounts[c] = 0;
  }
  return bits;
}

/** The JSON escape starting at `i` (a backslash): `\uXXXX` or a two-byte one. */
const escapeLength = (b: Uint8Array, i: number) => (b[i + 1] === 117 ? 6 : 2);

export function createRedactor(options: RedactionOptions): Redactor {
  const tables = options.tables ?? [GITLEAKS, TRANSCRIPT_RULES];
  const user: RuleData[] = (options.patterns ?? []).map((p) => {
    if (!REDACTION_RULE_NAME.test(p.name)) throw new Error(`redaction pattern name '${p.name}': use lower-case letters, digits and dashes`);
    return { id: p.name, source: p.regex, flags: "", keywords: [] };
  });
  const allowRegexes = [
    ...tables.flatMap((t) => t.allow.regexes.map((x) => compile(x))),
    ...(options.allow?.regexes ?? []).map((x) => new RegExp(`^(?:${x})$`)),
  ];
  const extraAllow = (id: string) => tables.flatMap((t) => t.ruleAllow?.[id] ?? []);
  const rules = [...tables.flatMap((t) => t.rules), ...user].map((r) =>
    compileRule({ ...r, allow: [...(r.allow ?? []), ...extraAllow(r.id)] }, allowRegexes),
  );
  const allowStrings = new Set(options.allow?.strings ?? []);
  const stopword = containsAny(tables.flatMap((t) => t.allow.stopwords));
  const keywords = [...new Set(rules.flatMap((r) => r.keywords))];
  const scanner = createKeywordScanner(keywords);
  const rulesOf = keywords.map((k) => rules.flatMap((r, i) => (r.keywords.includes(k) ? [i] : [])));
  const json = options.format === "json";
  const marks = new Map(rules.map((r) => [r.id, Buffer.from(`[REDACTED:${r.id}]`)]));

  function allowed(r: Compiled, secret: string, match: string): boolean {
    if (allowStrings.has(secret)) return true;
    if (r.entropy && shannonEntropy(secret) < r.entropy) return true;
    if (stopword(secret) || r.stopword(secret)) return true;
    return r.allowSecret(secret) || r.allowMatch(match);
  }

  /** Runs one rule over the view's string indices [from, to); spans come back as byte offsets. */
  function matchIn(r: Compiled, view: TextView, from: number, to: number, spans: Span[]) {
    // A slice of a decoded string is a view into it, not a copy.
    const text = view.text.slice(from, to);
    r.re.lastIndex = 0;
    for (let m = r.re.exec(text); m; m = r.re.exec(text)) {
      if (m[0].length === 0) {
        r.re.lastIndex++;
        continue;
      }
      const indices = m.indices as RegExpIndicesArray;
      let group = r.secretGroup ?? 0;
      if (!r.secretGroup) for (let g = 1; g < m.length && !group; g++) if (m[g]) group = g;
      const [start, end] = (indices[group] ?? indices[0]) as [number, number];
      let first = from + m.index;
      for (const stop = Math.max(0, first - r.identifier); first > stop && IDENTIFIER[view.text.charCodeAt(first - 1)]; ) first--;
      if (!allowed(r, view.slice(from + start, from + end), view.slice(first, from + m.index + m[0].length)))
        spans.push({ start: view.offsetOf(from + start), end: view.offsetOf(from + end), rule: r.id });
      if (r.re.sticky) return;
      // The next secret may begin in what the match consumed after this one (a separator, a closing quote);
      // never inside this one, which would re-match every suffix of a long token.
      r.re.lastIndex = Math.max(end, m.index + 1);
    }
  }

  /**
   * Every secret in `bytes`, as spans sorted by start, overlapping ones merged. A rule with keywords runs only
   * on windows around their occurrences: from a little before each (rules name the key before its value) to
   * the first quote past the rule's reach, since a quote ends every token (JSON strings end there). The
   * bytes all windows cover are decoded once.
   */
  // Reused between calls: only the rules a keyword touched are visited and reset.
  const windows: number[][] = rules.map(() => []);
  const touched: number[] = [];
  const keywordless = rules.flatMap((r, i) => (r.keywords.length ? [] : [i]));
  // Patterns all in ASCII read bytes as characters (text-view.ts); one naming other characters needs UTF-8.
  const utf8 = rules.some((r) => /[^ -~\t\n\r]|\\x[89a-f]|\\u(?!00[0-7])/i.test(r.re.source));

  function find(bytes: Buffer): Span[] {
    scanner.scan(bytes, (k, at) => {
      for (const i of rulesOf[k] as number[]) {
        const w = windows[i] as number[];
        const r = rules[i] as Compiled;
        const from = Math.max(0, at - r.before);
        if (!w.length) {
          touched.push(i);
          w.push(from, at);
          continue;
        }
        // Windows are [from, last keyword start] pairs; a keyword within reach of the last one extends it,
        // except for sticky rules, tried at each keyword.
        const last = w[w.length - 1] as number;
        if (r.re.sticky) {
          if (at !== last) w.push(from, at);
        } else if (from <= last + r.reach) w[w.length - 1] = at;
        else w.push(from, at);
      }
    });
    const spans: Span[] = [];
    if (!touched.length && !keywordless.length) return spans;
    // Windows become [from, end) byte ranges, then string ranges of the one decoded view covering them all.
    let lo = keywordless.length ? 0 : bytes.length;
    let hi = keywordless.length ? bytes.length : 0;
    for (const i of touched) {
      const r = rules[i] as Compiled;
      const w = windows[i] as number[];
      for (let j = 0; j < w.length; j += 2) {
        const quote = bytes.indexOf(QUOTE, (w[j + 1] as number) + r.reach);
        w[j + 1] = quote === -1 ? bytes.length : quote;
        lo = Math.min(lo, (w[j] as number) - r.identifier);
        hi = Math.max(hi, w[j + 1] as number);
      }
    }
    const view = decodeView(bytes, Math.max(0, lo), hi, json, utf8);
    for (const i of keywordless) matchIn(rules[i] as Compiled, view, 0, view.text.length, spans);
    for (const i of touched) {
      const w = windows[i] as number[];
      for (let j = 0; j < w.length; j += 2)
        matchIn(rules[i] as Compiled, view, view.indexAt(w[j] as number), view.indexAt(w[j + 1] as number), spans);
      w.length = 0;
    }
    touched.length = 0;
    // Whole characters: a rule reading bytes as characters may stop inside a multi-byte one.
    for (const span of spans) {
      while (span.start > 0 && ((bytes[span.start] as number) & 0xc0) === 0x80) span.start--;
      while (span.end < bytes.length && ((bytes[span.end] as number) & 0xc0) === 0x80) span.end++;
    }
    if (spans.length < 2) return spans;
    const rank = (s: Span) => (GENERIC.has(s.rule) ? 1 : 0);
    spans.sort((a, b) => a.start - b.start || rank(a) - rank(b) || b.end - a.end);
    const merged: Span[] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
      else merged.push({ ...s });
    }
    return merged;
  }

  /**
   * Redacts `bytes[0, upTo)`, given whether `bytes` starts inside a JSON string; a secret that starts before
   * `upTo` is redacted whole. Returns the pieces of output, where it stopped (≥ upTo) and the state there.
   */
  function redactRange(bytes: Buffer, upTo: number, inString: boolean, hits: string[]) {
    const spans = find(bytes);
    const parts: Uint8Array[] = [];
    let i = 0;
    // The next quote and backslash at or after i, found natively (memchr) rather than byte by byte in a loop.
    let quote = -1;
    let backslash = -1;
    const next = (c: number, at: number) => {
      const found = bytes.indexOf(c, at);
      return found === -1 ? bytes.length : found;
    };
    // Walks the JSON string state from i to `to`; returns where an escape straddling `to` ends, if one does.
    const walk = (to: number): number => {
      while (i < to) {
        if (quote < i) quote = next(QUOTE, i);
        if (!inString) {
          i = Math.min(quote + 1, to);
          if (quote < to) inString = true;
          continue;
        }
        if (backslash < i) backslash = next(BACKSLASH, i);
        if (quote < backslash) {
          i = Math.min(quote + 1, to);
          if (quote < to) inString = false;
        } else if (backslash < to) {
          const len = escapeLength(bytes, backslash);
          i = backslash;
          if (i + len > to) return i + len;
          i += len;
        } else i = to;
      }
      return to;
    };
    let emitted = 0;
    for (const span of spans) {
      let { start, end } = span;
      if (start >= upTo) break;
      if (start < i) continue;
      if (json) {
        const past = walk(start);
        if (past > start) i = past;
        start = Math.max(start, i);
        if (!inString) continue;
        // Inside the span: stop at the string's closing quote, and before an escape the span would cut in half.
        while (i < end) {
          const c = bytes[i];
          if (c === QUOTE) break;
          if (c === BACKSLASH) {
            const len = escapeLength(bytes, i);
            if (i + len > end) break;
            i += len;
          } else i++;
        }
        end = i;
        if (end <= start) continue;
      }
      parts.push(bytes.subarray(emitted, start), marks.get(span.rule) as Buffer);
      emitted = end;
      i = end;
      hits.push(span.rule);
    }
    let stop = Math.max(upTo, emitted);
    // Only a cut inside a line needs the state where it stops.
    if (json && stop < bytes.length) {
      const past = walk(stop);
      if (past > stop) i = stop = past;
    }
    // No parts: nothing changed, the bytes pass on as they are.
    if (parts.length) parts.push(bytes.subarray(emitted, stop));
    return { parts, stop, inString };
  }

  function redactLine(line: string): LineResult {
    const hits: string[] = [];
    const { parts } = redactRange(Buffer.from(line), Number.POSITIVE_INFINITY, false, hits);
    return { text: parts.length ? Buffer.concat(parts).toString("utf8") : line, hits };
  }

  function stream(): RedactionStream {
    const counts = new Map<string, number>();
    // The start of a line not ended yet, as copies (a caller's chunk is never kept alive), joined only once
    // the line ends or a window fills.
    let pending: Buffer[] = [];
    let pendingLength = 0;
    // Whether the pending bytes start inside a JSON string: only after a cut inside a line.
    let inString = false;
    function take(chunk: Buffer, final: boolean): Uint8Array {
      let nl = chunk.indexOf(10);
      if (!final && nl === -1 && pendingLength + chunk.length < WINDOW) {
        pending.push(Buffer.from(chunk));
        pendingLength += chunk.length;
        return new Uint8Array(0);
      }
      const out: Uint8Array[] = [];
      const hits: string[] = [];
      // Unchanged lines pass on as one slice of the chunk, from `run`.
      let run = 0;
      let from = 0;
      if (pendingLength && nl !== -1) {
        const line = Buffer.concat([...pending, chunk.subarray(0, nl + 1)]);
        const r = redactRange(line, line.length, inString, hits);
        out.push(r.parts.length ? Buffer.concat(r.parts) : line);
        pending = [];
        pendingLength = 0;
        inString = false;
        run = from = nl + 1;
        nl = chunk.indexOf(10, from);
      }
      for (; nl !== -1; nl = chunk.indexOf(10, from)) {
        const r = redactRange(chunk.subarray(from, nl + 1), nl + 1 - from, inString, hits);
        if (r.parts.length) {
          out.push(chunk.subarray(run, from), ...r.parts);
          run = nl + 1;
        }
        inString = false;
        from = nl + 1;
      }
      out.push(chunk.subarray(run, from));
      let rest = pendingLength ? Buffer.concat([...pending, chunk.subarray(from)]) : chunk.subarray(from);
      if (final || rest.length >= WINDOW) {
        const r = redactRange(rest, final ? rest.length : rest.length - OVERLAP, inString, hits);
        inString = r.inString;
        out.push(r.parts.length ? Buffer.concat(r.parts) : rest.subarray(0, r.stop));
        rest = rest.subarray(r.stop);
      }
      pending = rest.length ? [Buffer.from(rest)] : [];
      pendingLength = rest.length;
      for (const h of hits) counts.set(h, (counts.get(h) ?? 0) + 1);
      return out.length === 1 ? (out[0] as Uint8Array) : Buffer.concat(out);
    }
    return {
      counts,
      write: (chunk) => take(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), false),
      end: () => take(Buffer.alloc(0), true),
    };
  }

  async function* redactChunks(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
    const s = stream();
    for await (const chunk of chunks) {
      const out = s.write(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      if (out.length) yield out;
    }
    const rest = s.end();
    if (rest.length) yield rest;
  }

  return { redactLine, stream, redactChunks };
}
