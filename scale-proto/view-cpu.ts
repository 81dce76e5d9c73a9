// CPU of one permalink view, the Worker's own work only (index decode, segment inflation, line split,
// mapping, JSON of the messages), measured in node on the same code with file reads standing in for R2
// range reads. Production bills CPU, not the wait on R2, so this is the figure to hold against 10 ms.
//   node scale-proto/view-cpu.ts /tmp/scale/t250.jsonl /tmp/scale/t2500.jsonl …
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { decodeMessages, decodePrefix, messageRange, type SessionIndex } from "./index-format.ts";
import { FINAL_BLOCK } from "./segment-frame.ts";
import { firstAfter, openIndex, type ReadStats, readWindow } from "./window.ts";

const RUNS = 15;
// WINDOW_SIZES=10,25,50 adds rows for smaller windows (CPU against bytes inflated).
console.log(
  "| session | messages | CPU ms per view, median (first page: 150 messages) | CPU ms, 1 message (show all) | inflated KB per view |",
);
console.log("|---|---|---|---|---|");
for (const path of process.argv.slice(2)) {
  const fds = { data: openSync(`${path}.seg.0`, "r"), index: openSync(`${path}.seg.idx`, "r") };
  const get = async (key: string, offset: number, length: number) => {
    const buf = Buffer.alloc(length);
    const read = readSync(key === "data" ? fds.data : fds.index, buf, 0, length, offset);
    return buf.subarray(0, read);
  };
  const inflate = async (segment: Uint8Array) => inflateRawSync(Buffer.concat([segment, FINAL_BLOCK]));
  const idx = readFileSync(`${path}.seg.idx`);
  const prefix = decodePrefix(idx) as SessionIndex;
  const mid = Math.floor(prefix.messageCount / 2);
  const { offset, length } = messageRange(prefix, mid - RUNS, mid + RUNS);
  const around = decodeMessages(idx.subarray(offset, offset + length), 2 * RUNS + 1);
  const measure = async (size: number) => {
    const times: number[] = [];
    let inflated = 0;
    for (let i = -2; i < RUNS; i++) {
      const line = around[2 * Math.max(0, i)]?.line ?? 1;
      const start = process.cpuUsage();
      const stats: ReadStats = { requests: 0, bytesRead: 0, inflated: 0 };
      const index = await openIndex(get, "index", stats);
      const end = (await firstAfter(get, "index", index, line, stats)) - 1;
      const messages = await readWindow(
        get,
        inflate,
        { data: "data", index: "index" },
        "claude-code",
        index,
        Math.max(0, end - size + 1),
        end,
        stats,
      );
      JSON.stringify(messages);
      const used = process.cpuUsage(start);
      // The first two runs warm the JIT up, as a Worker's isolate is warm after its first requests.
      if (i >= 0) times.push((used.user + used.system) / 1000);
      inflated = stats.inflated;
    }
    times.sort((a, b) => a - b);
    return { cpu: times[Math.floor(times.length / 2)] as number, inflated };
  };
  const page = await measure(150);
  const one = await measure(1);
  console.log(
    `| ${path.slice(path.lastIndexOf("/") + 1)} | ${prefix.messageCount} | ${page.cpu.toFixed(1)} | ${one.cpu.toFixed(1)} | ${(page.inflated / 1024).toFixed(0)} |`,
  );
  if (process.env.WINDOW_SIZES)
    for (const size of process.env.WINDOW_SIZES.split(",").map(Number)) {
      const r = await measure(size);
      console.log(`|   window of ${size} messages | | ${r.cpu.toFixed(1)} | | ${(r.inflated / 1024).toFixed(0)} |`);
    }
  closeSync(fds.data);
  closeSync(fds.index);
}
