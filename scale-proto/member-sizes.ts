// Member size trade-off: compressed size, compression CPU, and what reading one member costs, for member
// targets of 64 KB … 4 MB against one gzip stream of the whole transcript (what is stored today).
//   node scale-proto/member-sizes.ts /tmp/scale/big.jsonl
import { closeSync, createReadStream, createWriteStream, openSync, readSync, statSync, writeSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGzip, gunzipSync } from "node:zlib";
import { type Member, writeMembers } from "./members.ts";

const [path = "/tmp/scale/big.jsonl", sizesArg = "65536,262144,1048576,4194304"] = process.argv.slice(2);
const rawSize = statSync(path).size;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

const t0 = cpu();
await pipeline(createReadStream(path), createGzip({ level: 6 }), createWriteStream(`${path}.single.gz`));
const singleCpu = cpu() - t0;
const single = statSync(`${path}.single.gz`).size;
console.log(
  `raw ${mb(rawSize)} MB; one gzip stream (level 6): ${mb(single)} MB (${((single / rawSize) * 100).toFixed(1)}%), ${(singleCpu / 1000).toFixed(1)} s CPU`,
);
console.log(
  "| member target | members | stored MB | vs one stream | compress CPU s | inflate one member ms (median) | largest member KB |",
);
console.log("|---|---|---|---|---|---|---|");
for (const target of sizesArg.split(",").map(Number)) {
  const out = `${path}.m${target / 1024}k.gz`;
  const fd = openSync(out, "w");
  const c0 = cpu();
  const members = await writeMembers(path, target, (gz) => writeSync(fd, gz));
  const compressCpu = cpu() - c0;
  closeSync(fd);
  const stored = statSync(out).size;
  // Inflate 40 members spread over the file, each read by its own offsets as a range read would.
  const read = openSync(out, "r");
  const times: number[] = [];
  for (let i = 0; i < 40; i++) {
    const m = members[Math.floor((i / 40) * members.length)] as Member;
    const buf = Buffer.alloc(m.compLength);
    readSync(read, buf, 0, m.compLength, m.comp);
    const s = performance.now();
    gunzipSync(buf);
    times.push(performance.now() - s);
  }
  closeSync(read);
  times.sort((a, b) => a - b);
  const largest = Math.max(...members.map((m) => m.rawLength));
  console.log(
    `| ${target / 1024} KB | ${members.length} | ${mb(stored)} | ${((stored / single - 1) * 100).toFixed(2)}% | ${(compressCpu / 1000).toFixed(1)} | ${(times[20] as number).toFixed(2)} | ${(largest / 1024).toFixed(0)} |`,
  );
  writeFileSyncJson(`${out}.members.json`, members);
}

function writeFileSyncJson(file: string, value: unknown) {
  const fd = openSync(file, "w");
  writeSync(fd, JSON.stringify(value));
  closeSync(fd);
}
