// Runs the measurement Worker in workerd (wrangler dev, local R2) and reports, per kind of view: workerd CPU
// (from /proc, so all of workerd's work counts), peak RSS, R2 reads and bytes. Objects are put once into a
// persisted local R2; each scenario gets a fresh workerd so its peak memory is its own.
//   node scale-proto/worker/measure.ts /tmp/scale/big.jsonl 262144
import { createReadStream, statSync } from "node:fs";
import { cpuMs, start, status, workerd } from "./local.ts";

const [path = "/tmp/scale/big.jsonl", targetArg = "262144", only = ""] = process.argv.slice(2);
const member = `${path}.${Number(targetArg) / 1024}k`;
const keys = { data: `${basename(member)}.gz`, index: `${basename(member)}.idx`, single: `${basename(path)}.single.gz` };
function basename(p: string) {
  return p.slice(p.lastIndexOf("/") + 1);
}

if (only === "" || only === "load") {
  const app = await start();
  for (const [key, file] of [
    [keys.data, `${member}.gz`],
    [keys.index, `${member}.idx`],
    [keys.single, `${path}.single.gz`],
  ] as const) {
    const head = (await (await fetch(`${app.base}/head?key=${key}`)).json()) as { size: number | null };
    if (head.size === statSync(file).size) continue;
    const res = await fetch(`${app.base}/put?key=${key}`, {
      method: "PUT",
      body: createReadStream(file) as unknown as BodyInit,
      headers: { "content-length": String(statSync(file).size) },
      duplex: "half",
    } as RequestInit);
    console.log(`put ${key}: ${(statSync(file).size / 1e6).toFixed(1)} MB → ${await res.text()}`);
  }
  await app.dispose();
}

async function scenario(name: string, urls: string[], expect?: (body: Record<string, unknown>) => void) {
  const app = await start();
  try {
    const pid = workerd(app.child.pid as number);
    if (name.startsWith("R2")) console.log(`(workerd processes: ${pid.length})`);
    // Warm up: the first request compiles the Worker.
    await (await fetch(`${app.base}/head?key=none`)).text();
    const rssBefore = status(pid, "VmRSS");
    const c0 = cpuMs(pid);
    let last: Record<string, unknown> = {};
    const wall: number[] = [];
    for (const u of urls) {
      const t = performance.now();
      const res = await fetch(`${app.base}${u}`);
      const text = await res.text();
      wall.push(performance.now() - t);
      try {
        last = JSON.parse(text) as Record<string, unknown>;
      } catch {
        last = { status: res.status, error: text.slice(0, 200) };
      }
      expect?.(last);
    }
    const cpu = (cpuMs(pid) - c0) / urls.length;
    const peak = status(pid, "VmHWM");
    wall.sort((a, b) => a - b);
    console.log(
      `| ${name} | ${urls.length} | ${cpu.toFixed(1)} | ${(wall[Math.floor(wall.length / 2)] as number).toFixed(1)} | ${rssBefore.toFixed(0)} → ${peak.toFixed(0)} | ${JSON.stringify(last)} |`,
    );
  } finally {
    await app.dispose();
  }
}

const q = new URLSearchParams({ data: keys.data, index: keys.index }).toString();
if (only === "" || only === "views") {
  console.log("| view | requests | workerd CPU ms/request | wall ms median | workerd RSS MB before → peak | last answer |");
  console.log("|---|---|---|---|---|---|");
  await scenario(
    "R2 range read: 64 bytes at offset 0",
    Array.from({ length: 20 }, (_, i) => `/range?key=${keys.data}&offset=0&length=64&i=${i}`),
    (b) => {
      if (b.length !== 64 || (b.first as number[])[0] !== 0x1f) throw new Error(`range read failed: ${JSON.stringify(b)}`);
    },
  );
  const spread = (count: number, step: number, first: number, size: number) =>
    Array.from({ length: count }, (_, i) => `/window?${q}&from=${first + i * step}&to=${first + i * step + size - 1}`);
  await scenario("window: 150 messages (a permalink's first page)", spread(20, 3000, 1000, 150));
  await scenario("window: 1 message (show all of one message)", spread(20, 3500, 500, 1));
  await scenario(
    "today: whole object, first 16 MB inflated and mapped",
    Array.from({ length: 5 }, () => `/whole?data=${keys.single}&cap=${16 * 1024 * 1024}`),
  );
  await scenario(
    "today: whole object, 64 MB inflated and mapped",
    Array.from({ length: 2 }, () => `/whole?data=${keys.single}&cap=${64 * 1024 * 1024}`),
  );
  // workerd's DecompressionStream rejects concatenated members ("Trailing bytes …"): reported in the table, not thrown.
  await scenario("multi-member object through one DecompressionStream", [`/inflate-all?data=${keys.data}`]);
}
