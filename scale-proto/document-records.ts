// Whole-JSON-document transcripts (OpenCode export, Gemini .json, Codex TypeScript rollouts) by record:
// one streaming pass over the bytes finds each element of the top-level array the mapper reads
// (`messages`, `items`, or a top-level array itself) and records its byte range and first physical line.
// The raw bytes stay as written; a window parses its elements alone.
//   node scale-proto/document-records.ts FILE.json …  (checks every element against JSON.parse of the whole)

export interface DocumentRecord {
  /** Byte offsets of the element: [start, end). */
  start: number;
  end: number;
  /** 1-based physical line the element starts on (link positions count physical lines). */
  line: number;
}

const KEYS = new Set(["messages", "items", "history"]);

/** Element ranges of the first top-level array named in KEYS (or of the document, when it is an array). */
export function documentRecords(bytes: Uint8Array): { records: DocumentRecord[]; key: string | null } {
  const records: DocumentRecord[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let stringStart = -1;
  let lastKey: string | null = null;
  let arrayKey: string | null = null;
  // Depth of the array whose elements are recorded; -1 until it opens.
  let target = -1;
  let element: DocumentRecord | null = null;
  const decoder = new TextDecoder();
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x0a) line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (b === 0x5c) escaped = true;
      else if (b === 0x22) {
        inString = false;
        if (depth === 1) lastKey = decoder.decode(bytes.subarray(stringStart + 1, i));
      }
      continue;
    }
    const atTarget = target !== -1 && depth === target;
    if (atTarget && element === null && b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0x2c && b !== 0x5d)
      element = { start: i, end: i, line };
    if (b === 0x22) {
      inString = true;
      stringStart = i;
    } else if (b === 0x7b || b === 0x5b) {
      depth++;
      // The array opens: `"messages": [` at depth 1, or the document itself is an array.
      if (b === 0x5b && target === -1 && ((depth === 2 && lastKey !== null && KEYS.has(lastKey)) || depth === 1)) {
        target = depth;
        arrayKey = depth === 1 ? null : lastKey;
      }
    } else if (b === 0x7d || b === 0x5d) {
      if (atTarget && element) {
        // The array closes after its last element (no comma follows it).
        element.end = lastNonSpace(bytes, i - 1) + 1;
        records.push(element);
        element = null;
      }
      depth--;
      if (target !== -1 && depth < target) break;
    } else if (b === 0x2c && atTarget && element) {
      element.end = lastNonSpace(bytes, i - 1) + 1;
      records.push(element);
      element = null;
    }
  }
  return { records, key: arrayKey };
}

function lastNonSpace(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i > 0 && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i--;
  return i;
}

if (import.meta.main && process.argv[2] !== "--speed") {
  const { readFileSync } = await import("node:fs");
  for (const file of process.argv.slice(2)) {
    const bytes = readFileSync(file);
    const { records, key } = documentRecords(bytes);
    const doc = JSON.parse(bytes.toString("utf8")) as Record<string, unknown> | unknown[];
    const list = (Array.isArray(doc) ? doc : (doc[key ?? ""] as unknown[])) ?? [];
    const wrong = records.filter(
      (r, i) => JSON.stringify(JSON.parse(bytes.subarray(r.start, r.end).toString("utf8"))) !== JSON.stringify(list[i]),
    );
    console.log(
      `${file.slice(file.lastIndexOf("/") + 1)}: ${records.length} records of ${key ?? "the top-level array"} (document holds ${list.length}); parsed alone and different: ${wrong.length}; first at line ${records[0]?.line}`,
    );
  }
}

/** Speed on a large document: `node scale-proto/document-records.ts --speed transcript.jsonl` wraps its first 100 MB of lines. */
if (import.meta.main && process.argv[2] === "--speed") {
  const { readFileSync } = await import("node:fs");
  const lines = readFileSync(process.argv[3] as string, "utf8")
    .slice(0, 100 * 1024 * 1024)
    .split("\n")
    .slice(0, -1);
  const bytes = new TextEncoder().encode(`{"info": {"id": "x"},\n "messages": [\n${lines.join(",\n")}\n]}\n`);
  const start = performance.now();
  const { records } = documentRecords(bytes);
  console.log(`${(bytes.length / 1e6).toFixed(0)} MB document: ${records.length} records in ${(performance.now() - start).toFixed(0)} ms`);
}
