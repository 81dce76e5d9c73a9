// Checks the segment layout end to end in node, and measures growth: the transcript is compressed as it
// was at an earlier push (its first part), then as it grew; the re-push compresses and uploads only the
// new segments. The assembled object (header + both chunks + final block + trailer) must gunzip to the
// exact transcript, and any segment must inflate on its own.
//   node scale-proto/segments-check.ts /tmp/scale/big.jsonl 262144
import { createHash } from "node:crypto";
import { closeSync, copyFileSync, openSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { gunzipSync, inflateRawSync } from "node:zlib";
import { FINAL_BLOCK, GZIP_HEADER, gzipTrailer, writeSegments } from "./segments.ts";

const [path = "/tmp/scale/big.jsonl", targetArg = "262144", firstShare = "0.8"] = process.argv.slice(2);
const target = Number(targetArg);
const size = statSync(path).size;
const grown = `${path}.grown-check`;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// The session as it was at the first push: its first part (80% by default), cut mid-line (the agent was writing).
copyFileSync(path, grown);
truncateSync(grown, Math.floor(size * Number(firstShare)));
const chunks: Buffer[][] = [[], []];
let c = cpu();
const first = await writeSegments(grown, target, (b) => chunks[0]?.push(b));
const firstCpu = cpu() - c;
// The session grew to its full size: the re-push continues from the stored run.
copyFileSync(path, grown);
c = cpu();
const second = await writeSegments(grown, target, (b) => chunks[1]?.push(b), first);
const secondCpu = cpu() - c;
const [a, b] = chunks.map((parts) => Buffer.concat(parts)) as [Buffer, Buffer];
const newRaw = second.rawSize - first.rawSize;
console.log(
  `first push: ${first.segments.length} segments, ${(a.length / 1e6).toFixed(1)} MB (${(first.rawSize / 1e6).toFixed(1)} MB raw, ${(firstCpu / 1000).toFixed(1)} s CPU)`,
);
console.log(
  `re-push after growth: ${((newRaw / first.rawSize) * 100).toFixed(1)}% more raw bytes; ${second.segments.length - first.segments.length} new segments, ${(b.length / 1e6).toFixed(2)} MB uploaded for ${(newRaw / 1e6).toFixed(1)} MB of new raw bytes (${((b.length / newRaw) * 100).toFixed(1)}% of them; the whole object would be ${(((a.length + b.length) / newRaw) * 100).toFixed(0)}%), ${(secondCpu / 1000).toFixed(1)} s CPU`,
);
const object = Buffer.concat([GZIP_HEADER, a, b, FINAL_BLOCK, gzipTrailer(second.crc, second.rawSize)]);
const whole = gunzipSync(object);
const same = createHash("sha256").update(whole).digest("hex") === createHash("sha256").update(readFileSync(path)).digest("hex");
console.log(`assembled single-member gzip: ${(object.length / 1e6).toFixed(1)} MB; gunzip gives the transcript byte for byte: ${same}`);
let bad = 0;
const all = Buffer.concat([a, b]);
for (let i = 0; i < second.segments.length; i += 37) {
  const s = second.segments[i];
  if (!s) continue;
  const out = inflateRawSync(Buffer.concat([all.subarray(s.comp, s.comp + s.compLength), FINAL_BLOCK]));
  if (!out.equals(whole.subarray(s.raw, s.raw + s.rawLength))) bad++;
}
console.log(`segments inflated on their own: ${Math.ceil(second.segments.length / 37)}, wrong: ${bad}`);
writeFileSync(`${path}.seg.0`, a);
writeFileSync(`${path}.seg.1`, b);
writeFileSync(`${path}.seg.trailer.json`, JSON.stringify({ crc: second.crc, size: second.rawSize }));
const fd = openSync(`${path}.seg.json`, "w");
writeSync(fd, JSON.stringify(second.segments));
closeSync(fd);
