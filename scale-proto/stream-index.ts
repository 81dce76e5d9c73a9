// The CLI side for transcripts of any size (a 1 GB transcript is past V8's string limit, so the whole-file
// mapping build-index.ts uses is out of reach): structure pass → segments → the message table, mapped
// window by window (cut before a prompt, off-branch lines left out), never holding more than one window.
// With a reference index (from build-index.ts on the same transcript) it checks the message tables agree.
//   node scale-proto/stream-index.ts /tmp/scale/big.jsonl 262144 [/tmp/scale/big.jsonl.256k.idx]
import { closeSync, createReadStream, openSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { mapSession } from "@residue/formats";
import { claudeCodeStructure } from "@residue/formats/structure/claude-code";
import { inRanges } from "@residue/formats/structure/ranges";
import { parseLine } from "@residue/formats/windows";
import { decodePrefix, encodeIndex, type IndexedMessage, type SessionIndex } from "./index-format.ts";
import { writeSegments } from "./segments.ts";

const [path = "/tmp/scale/big.jsonl", targetArg = "262144", reference = ""] = process.argv.slice(2);
const target = Number(targetArg);
const WINDOW_BYTES = 8 * 1024 * 1024;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const lines = () => createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Number.POSITIVE_INFINITY });

let c = cpu();
const pass = claudeCodeStructure();
let n = 0;
for await (const line of lines()) {
  const parsed = parseLine(line, ++n);
  if (parsed && parsed !== "bad") pass.line(parsed);
}
const structure = pass.finish();
console.log(`structure pass: ${n} lines, ${((cpu() - c) / 1000).toFixed(1)} s CPU`);

c = cpu();
const out = openSync(`${path}.seg.0`, "w");
const run = await writeSegments(path, target, (b) => writeSync(out, b));
closeSync(out);
writeFileSync(`${path}.seg.trailer.json`, JSON.stringify({ crc: run.crc, size: run.rawSize }));
writeFileSync(`${path}.seg.json`, JSON.stringify(run.segments));
console.log(
  `segments: ${run.segments.length}, ${(statSync(`${path}.seg.0`).size / 1e6).toFixed(1)} MB, ${((cpu() - c) / 1000).toFixed(1)} s CPU`,
);

const fileOf = (agentId: string) => structure.files.find((f) => f.name.includes(agentId));
// A user line whose content is a string is a prompt: nothing before it waits for anything after it.
const PROMPT = /"type":"user","message":\{"role":"user","content":"/;
c = cpu();
const entries: IndexedMessage[] = [];
let window: { n: number; text: string }[] = [];
let windowBytes = 0;
let peakHeap = 0;
const mapWindow = () => {
  if (window.length === 0) return;
  const conversation = mapSession("claude-code", window.map((l) => l.text).join("\n"));
  for (const m of conversation.messages) {
    const line = (window[m.line - 1] as { n: number }).n;
    const spawned = m.blocks.flatMap((b) =>
      b.kind === "tool_call" && (b.name === "Task" || b.name === "Agent")
        ? [String((b.result?.detail as { agentId?: string } | undefined)?.agentId ?? "")]
        : [],
    );
    const file = spawned.filter(Boolean).map(fileOf).find(Boolean);
    const previous = entries.at(-1);
    entries.push({
      line,
      firstLine: previous ? previous.line + 1 : 1,
      timestamp: m.timestamp,
      role: m.role,
      folded: inRanges(structure.fold, line),
      extraFrom: file?.from ?? 0,
      extraTo: file?.to ?? 0,
    });
  }
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  window = [];
  windowBytes = 0;
};
n = 0;
for await (const text of lines()) {
  n++;
  if (n > structure.lastMainLine) break;
  if (inRanges(structure.skip, n)) continue;
  if (windowBytes >= WINDOW_BYTES && PROMPT.test(text)) mapWindow();
  window.push({ n, text });
  windowBytes += text.length;
}
mapWindow();
console.log(
  `message table, mapped window by window: ${entries.length} messages, ${((cpu() - c) / 1000).toFixed(1)} s CPU, peak heap ${(peakHeap / 1e6).toFixed(0)} MB`,
);
const encoded = encodeIndex(
  { members: run.segments, skip: structure.skip, files: structure.files, lastMainLine: structure.lastMainLine },
  entries,
);
writeFileSync(`${path}.seg.idx`, encoded);
const prefix = decodePrefix(encoded) as SessionIndex;
console.log(
  `index: ${(encoded.byteLength / 1024).toFixed(0)} KB: prefix ${(prefix.segmentsAt / 1024).toFixed(1)} KB (read by every view), segment table ${((prefix.messagesAt - prefix.segmentsAt) / 1024).toFixed(0)} KB, message table ${((encoded.byteLength - prefix.messagesAt) / 1024).toFixed(0)} KB (both read by range)`,
);
if (reference) {
  const ref = readFileSync(reference);
  const refPrefix = decodePrefix(ref) as SessionIndex;
  const same = Buffer.from(encoded.subarray(prefix.messagesAt)).equals(ref.subarray(refPrefix.messagesAt));
  console.log(`message table equals the whole-file mapping's (${reference}): ${same}`);
}
