// The CLI side: a transcript → members (.gz) + index (.idx), with the figures for the design (index size,
// structure-pass cost), then a check that mapping windows reproduces the whole-file mapping message for message.
//   node scale-proto/build-index.ts /tmp/scale/big.jsonl 262144 [windows to check]
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { gunzipSync } from "node:zlib";
import { mapSession } from "@residue/formats";
import type { Message } from "@residue/formats/model";
import { claudeCodeStructure } from "@residue/formats/structure/claude-code";
import { parseLine } from "@residue/formats/windows";
import { decodePrefix, encodeIndex, type IndexedMessage, type SessionIndex } from "./index-format.ts";
import { writeMembers } from "./members.ts";
import { firstAfter, openIndex, type ReadStats, readWindow } from "./window.ts";

const [path = "/tmp/scale/big.jsonl", targetArg = "262144", checksArg = "60"] = process.argv.slice(2);
const target = Number(targetArg);
const dataPath = `${path}.${target / 1024}k.gz`;
const indexPath = `${path}.${target / 1024}k.idx`;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// 1. Structure pass: streamed, tree fields only.
let c = cpu();
const pass = claudeCodeStructure();
let n = 0;
for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })) {
  const parsed = parseLine(line, ++n);
  if (parsed && parsed !== "bad") pass.line(parsed);
}
const structure = pass.finish();
const structureMs = cpu() - c;
console.log(
  `structure pass: ${n} lines, ${(structureMs / 1000).toFixed(1)} s CPU, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB; skip ranges ${structure.skip.length}, fold ranges ${structure.fold.length}, files ${structure.files.length}`,
);

// 2. Members.
c = cpu();
const out = openSync(dataPath, "w");
const members = await writeMembers(path, target, (gz) => writeSync(out, gz));
closeSync(out);
console.log(
  `members: ${members.length} of ~${target / 1024} KB, ${(statSync(dataPath).size / 1e6).toFixed(1)} MB stored, ${((cpu() - c) / 1000).toFixed(1)} s CPU`,
);

// 3. The message table, from the whole-file mapping (the reference the windows are checked against).
c = cpu();
const full = mapSession("claude-code", readFileSync(path, "utf8"));
console.log(`whole-file mapping: ${full.messages.length} messages, ${((cpu() - c) / 1000).toFixed(1)} s CPU`);
const fileOf = (agentId: string) => structure.files.find((f) => f.name.includes(agentId));
const entries: IndexedMessage[] = full.messages.map((m, i) => {
  const spawned = m.blocks.flatMap((b) =>
    b.kind === "tool_call" && b.children ? [String((b.result?.detail as { agentId?: string } | undefined)?.agentId ?? "")] : [],
  );
  const file = spawned.map(fileOf).find(Boolean);
  return {
    line: m.line,
    firstLine: i > 0 ? (full.messages[i - 1] as Message).line + 1 : 1,
    timestamp: m.timestamp,
    role: m.role,
    folded: m.fold !== undefined,
    extraFrom: file?.from ?? 0,
    extraTo: file?.to ?? 0,
  };
});
const monotonic = entries.every((e, i) => i === 0 || e.line >= (entries[i - 1] as IndexedMessage).line);
const encoded = encodeIndex({ members, skip: structure.skip, files: structure.files, lastMainLine: structure.lastMainLine }, entries);
writeFileSync(indexPath, encoded);
const prefix = decodePrefix(encoded) as SessionIndex;
console.log(
  `index: ${(encoded.byteLength / 1024).toFixed(0)} KB (prefix ${(prefix.segmentsAt / 1024).toFixed(1)} KB: ${prefix.sparse.length} sparse entries, ${prefix.skip.length} skip ranges; segment table ${((prefix.messagesAt - prefix.segmentsAt) / 1024).toFixed(0)} KB for ${members.length} members; message table ${((encoded.byteLength - prefix.messagesAt) / 1024).toFixed(0)} KB); lines monotonic: ${monotonic}`,
);

// 4. Windows mapped on their own == the same messages of the whole-file mapping?
const files = { data: openSync(dataPath, "r"), index: openSync(indexPath, "r") };
const get = async (key: string, offset: number, length: number) => {
  const fd = key === "data" ? files.data : files.index;
  const buf = Buffer.alloc(length);
  const read = readSync(fd, buf, 0, length, offset);
  return buf.subarray(0, read);
};
const inflate = async (b: Uint8Array) => gunzipSync(b);
const stats: ReadStats = { requests: 0, bytesRead: 0, inflated: 0 };
const index = await openIndex(get, "index", stats);
const total = full.messages.length;
let mismatches = 0;
const checks = Number(checksArg);
const windows: [number, number][] = [
  [0, 149],
  [total - 150, total - 1],
];
for (let i = 0; i < checks; i++) {
  const from = Math.floor((i / checks) * (total - 150));
  windows.push([from, from + 149]);
}
// Windows around the rewind, each compaction boundary and each sub-agent spawn.
for (const [k, m] of full.messages.entries()) {
  if (
    m.blocks.some((b) => b.kind === "tool_call" && b.children) ||
    (m.role === "system" && m.blocks.some((b) => b.kind === "notice" && b.text === "Conversation compacted."))
  )
    windows.push([Math.max(0, k - 5), Math.min(total - 1, k + 5)]);
}
windows.push([30, 200]);
const perWindow: ReadStats[] = [];
for (const [from, to] of windows) {
  const s: ReadStats = { requests: 0, bytesRead: 0, inflated: 0 };
  const got = await readWindow(get, inflate, { data: "data", index: "index" }, "claude-code", index, from, to, s);
  perWindow.push(s);
  const want = full.messages.slice(from, to + 1);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    mismatches++;
    if (mismatches <= 3) {
      const k = want.findIndex((w, i) => JSON.stringify(w) !== JSON.stringify(got[i]));
      console.log(
        `MISMATCH window [${from}, ${to}] at ${from + k}: got ${JSON.stringify(got[k])?.slice(0, 300)}\n want ${JSON.stringify(want[k])?.slice(0, 300)}`,
      );
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(
  `windows checked: ${windows.length}, mismatches: ${mismatches}; per 150-message window: median ${median(perWindow.map((s) => s.requests))} R2 reads, ${(median(perWindow.map((s) => s.bytesRead)) / 1024).toFixed(0)} KB read, ${(median(perWindow.map((s) => s.inflated)) / 1024).toFixed(0)} KB inflated; max ${(Math.max(...perWindow.map((s) => s.bytesRead)) / 1024).toFixed(0)} KB read`,
);

// Commit positions → message indexes through the sparse table and one block, against a scan of the whole mapping.
let wrongPositions = 0;
const positions = Array.from({ length: 200 }, (_, i) => Math.floor((i / 200) * n) + 1);
for (const line of positions) {
  const got = await firstAfter(get, "index", index, line, { requests: 0, bytesRead: 0, inflated: 0 });
  const want = full.messages.filter((m) => m.line <= line).length;
  if (got !== want) wrongPositions++;
}
console.log(`positions checked: ${positions.length} lines across the transcript, message index wrong: ${wrongPositions}`);
