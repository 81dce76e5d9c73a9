// Raw download: which clients read which layout when served with Content-Encoding: gzip, and what serving
// a 320 MB session costs workerd (CPU, peak memory) in each mode. Also proves that a full-flushed segment
// inflates on its own in workerd (deflate-raw).
//   node scale-proto/worker/clients.ts /tmp/scale/t100.jsonl /tmp/scale/big.jsonl
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { chromium } from "playwright-core";
import { cpuMs, start, status, workerd } from "./local.ts";

const [small = "/tmp/scale/t100.jsonl", big = "/tmp/scale/big.jsonl"] = process.argv.slice(2);
const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const name = (p: string) => p.slice(p.lastIndexOf("/") + 1);

const app = await start();
const put = async (key: string, file: string) => {
  const head = (await (await fetch(`${app.base}/head?key=${key}`)).json()) as { size: number | null };
  if (head.size === statSync(file).size) return;
  await fetch(`${app.base}/put?key=${key}`, {
    method: "PUT",
    body: createReadStream(file) as unknown as BodyInit,
    headers: { "content-length": String(statSync(file).size) },
    duplex: "half",
  } as RequestInit);
};
const pullUrl = (p: string) => `/raw-seg-pull?chunks=${name(p)}.seg.0,${name(p)}.seg.1&segments=${name(p)}.seg.json`;
const segUrl = (p: string, plain = false) => {
  const { crc, size } = JSON.parse(readFileSync(`${p}.seg.trailer.json`, "utf8")) as { crc: number; size: number };
  return `/raw-seg?chunks=${name(p)}.seg.0,${name(p)}.seg.1&crc=${crc}&size=${size}${plain ? "&plain=1" : ""}`;
};
try {
  for (const p of [small, big]) {
    await put(`${name(p)}.seg.0`, `${p}.seg.0`);
    await put(`${name(p)}.seg.1`, `${p}.seg.1`);
  }
  await put(`${name(small)}.64k.gz`, `${small}.64k.gz`);
  for (const p of [small, big]) await put(`${name(p)}.seg.json`, `${p}.seg.json`);
  const want = sha(readFileSync(small));
  // A segment in the middle, inflated alone in workerd.
  const segments = JSON.parse(readFileSync(`${small}.seg.json`, "utf8")) as { comp: number; compLength: number; lines: number }[];
  const firstChunk = statSync(`${small}.seg.0`).size;
  const inFirst = segments.filter((s) => s.comp + s.compLength <= firstChunk);
  const mid = inFirst[Math.floor(inFirst.length / 2)] as { comp: number; compLength: number; lines: number };
  const segText = await (await fetch(`${app.base}/segment?key=${name(small)}.seg.0&offset=${mid.comp}&length=${mid.compLength}`)).text();
  const seg = segText.startsWith("{")
    ? JSON.parse(segText)
    : app
        .log()
        .split("\n")
        .filter((l) => /rror/.test(l))
        .slice(-3);
  const echo = (args: string[]) => execFileSync("curl", ["-sS", ...args, `${app.base}/echo`]).toString();
  console.log(
    `Accept-Encoding the Worker sees: curl → ${echo([])}, curl --compressed → ${echo(["--compressed"])}, curl -H 'Accept-Encoding: identity' → ${echo(["-H", "Accept-Encoding: identity"])}`,
  );
  console.log(`segment ${Math.floor(inFirst.length / 2)} inflated alone in workerd: ${JSON.stringify(seg)}; index says ${mid.lines} lines`);

  const layouts = { "gzip members (BGZF)": `/raw?data=${name(small)}.64k.gz`, "one member, full-flushed segments": segUrl(small) };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
  });
  const page = await browser.newPage();
  await page.goto(`${app.base}/head?key=none`);
  console.log("| layout | node fetch (gzip) | curl --compressed | curl, ?plain=1 (Worker inflates) | Chromium fetch (gzip) |");
  console.log("|---|---|---|---|---|");
  for (const [layout, path] of Object.entries(layouts)) {
    const url = `${app.base}${path}`;
    const verdict = (got: string | null) => (got === null ? "fails" : got === want ? "exact bytes" : "wrong bytes");
    const node = await fetch(url)
      .then(async (r) => sha(Buffer.from(await r.arrayBuffer())))
      .catch(() => null);
    const curl = (args: string[]) => {
      try {
        return sha(execFileSync("curl", ["-sS", ...args, url], { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] }));
      } catch {
        return null;
      }
    };
    const curlPlain = () => {
      try {
        return sha(execFileSync("curl", ["-sS", `${url}&plain=1`], { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] }));
      } catch {
        return null;
      }
    };
    const browserSha = await page
      .evaluate(async (u) => {
        const bytes = await (await fetch(u)).arrayBuffer();
        const digest = await crypto.subtle.digest("SHA-256", bytes);
        return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      }, url)
      .catch(() => null);
    console.log(`| ${layout} | ${verdict(node)} | ${verdict(curl(["--compressed"]))} | ${verdict(curlPlain())} | ${verdict(browserSha)} |`);
  }
  await browser.close();
} finally {
  await app.dispose();
}

// The big session, served each way in a fresh workerd: CPU, and peak memory after the 1 MB session, after
// the big one, and after the big one again (constant memory: the peak does not follow the size).
const wantBig = sha(readFileSync(big));
console.log(
  `| raw download of ${name(big)} | workerd CPU s per download | workerd peak RSS MB: start → after 1 MB → after it → after it again | bytes right |`,
);
console.log("|---|---|---|---|");
for (const [mode, args, url] of [
  ["gzip (client inflates)", ["--compressed"], segUrl],
  ["?plain=1, DecompressionStream over the whole stream", [], (p: string) => segUrl(p, true)],
  ["?plain=1, pulled segment by segment", [], pullUrl],
] as const) {
  const run = await start();
  try {
    const pids = workerd(run.child.pid as number);
    await fetch(`${run.base}/head?key=none`);
    const peaks = [status(pids, "VmHWM")];
    execFileSync("curl", ["-sS", "-o", "/dev/null", ...args, `${run.base}${url(small)}`]);
    peaks.push(status(pids, "VmHWM"));
    const c0 = cpuMs(pids);
    const got = sha(execFileSync("curl", ["-sS", ...args, `${run.base}${url(big)}`], { maxBuffer: 1 << 30 }));
    const cpu = (cpuMs(pids) - c0) / 1000;
    peaks.push(status(pids, "VmHWM"));
    execFileSync("curl", ["-sS", "-o", "/dev/null", ...args, `${run.base}${url(big)}`]);
    peaks.push(status(pids, "VmHWM"));
    console.log(`| ${mode} | ${cpu.toFixed(1)} | ${peaks.map((p) => p.toFixed(0)).join(" → ")} | ${got === wantBig} |`);
  } finally {
    await run.dispose();
  }
}
