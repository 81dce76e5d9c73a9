// The permalink of a commit in the middle of sessions of growing size (segments layout, one chunk object
// each): workerd CPU and wall time per view, peak memory, R2 reads and bytes, first response size.
//   node scale-proto/worker/sizes.ts /tmp/scale/t250.jsonl /tmp/scale/t2500.jsonl …
import { createReadStream, readFileSync, statSync } from "node:fs";
import { decodeMessages, decodePrefix, messageRange, type SessionIndex } from "../index-format.ts";
import { cpuMs, start, status, workerd } from "./local.ts";

const paths = process.argv.slice(2);
const name = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const RUNS = 15;

const loader = await start();
try {
  for (const p of paths) {
    for (const [key, file] of [
      [`${name(p)}.seg.0`, `${p}.seg.0`],
      [`${name(p)}.seg.idx`, `${p}.seg.idx`],
    ]) {
      const head = (await (await fetch(`${loader.base}/head?key=${key}`)).json()) as { size: number | null };
      if (head.size === statSync(file).size) continue;
      await fetch(`${loader.base}/put?key=${key}`, {
        method: "PUT",
        body: createReadStream(file) as unknown as BodyInit,
        headers: { "content-length": String(statSync(file).size) },
        duplex: "half",
      } as RequestInit);
    }
  }
} finally {
  await loader.dispose();
}

console.log(
  "| session | raw MB | messages | workerd CPU ms/view | wall ms/view (median) | workerd RSS MB before → peak | R2 reads/view | KB read/view | KB inflated/view | response KB |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
const results: { name: string; cpu: number; wall: number }[] = [];
for (const p of paths) {
  const idx = readFileSync(`${p}.seg.idx`);
  const index = decodePrefix(idx) as SessionIndex;
  // Commits in the middle: the lines of messages around the middle of the session.
  const mid = Math.floor(index.messageCount / 2);
  const { offset, length } = messageRange(index, mid - RUNS, mid + RUNS);
  const around = decodeMessages(idx.subarray(offset, offset + length), 2 * RUNS + 1);
  const run = await start();
  try {
    const pids = workerd(run.child.pid as number);
    await fetch(`${run.base}/head?key=none`);
    const url = (line: number) => `${run.base}/permalink?data=${name(p)}.seg.0&index=${name(p)}.seg.idx&line=${line}`;
    await (await fetch(url(around[0]?.line ?? 1))).text();
    const before = status(pids, "VmRSS");
    const c0 = cpuMs(pids);
    const wall: number[] = [];
    let last: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      last = (await (await fetch(url(around[2 * i]?.line ?? 1))).json()) as Record<string, number>;
      wall.push(performance.now() - t);
    }
    const cpu = (cpuMs(pids) - c0) / RUNS;
    wall.sort((a, b) => a - b);
    const median = wall[Math.floor(RUNS / 2)] as number;
    results.push({ name: name(p), cpu, wall: median });
    console.log(
      `| ${name(p)} | ${(statSync(p).size / 1e6).toFixed(0)} | ${last.total} | ${cpu.toFixed(1)} | ${median.toFixed(1)} | ${before.toFixed(0)} → ${status(pids, "VmHWM").toFixed(0)} | ${last.requests} | ${((last.bytesRead ?? 0) / 1024).toFixed(0)} | ${((last.inflated ?? 0) / 1024).toFixed(0)} | ${((last.json ?? 0) / 1024).toFixed(0)} |`,
    );
  } finally {
    await run.dispose();
  }
}
const [first, lastResult] = [results[0], results.at(-1)];
if (first && lastResult)
  console.log(
    `largest / smallest: wall ${(lastResult.wall / first.wall).toFixed(2)}×, workerd CPU ${(lastResult.cpu / first.cpu).toFixed(2)}×`,
  );
