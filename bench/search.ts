// Search at scale: 1,000 sessions / 1,000,000 messages indexed in local D1 (workerd), then a table of
// queries, each timed over repeated runs (median, same run). Also: client-side extraction (mapper) and
// server-side indexing, per MB.
//   npm run bench:search          (BENCH_SESSIONS / BENCH_MESSAGES scale it down for a quick look)
import { randomUUID } from "node:crypto";
import { mapSession } from "@residue/formats";
import { searchDocuments } from "@residue/formats/search-text";
import { startTemporaryServer } from "../api/local/server.ts";
import { longTranscript } from "../e2e/support/seed.ts";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const PER_SESSION = Number(process.env.BENCH_MESSAGES ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
// A Zipf-like vocabulary of 20,000 words: a few very common, most rare, as in real conversations.
const SYLLABLES = "ka lo mi re tu sa ne po di fa gu he ji ko lu ma ni ot pe ri".split(" ");
const WORDS = Array.from({ length: 20_000 }, (_, i) => {
  let w = "";
  for (let n = i + 1; n > 0; n = Math.floor(n / 20)) w += SYLLABLES[n % 20];
  return w;
});

// mulberry32: small, seeded, and uniform enough for a repeatable corpus.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = () => WORDS[Math.floor(WORDS.length ** rand()) - 1] as string;
const sentence = (n: number) => Array.from({ length: n }, pick).join(" ");

const server = await startTemporaryServer();
const secrets = server.secrets;
const auth = { authorization: `Bearer ${secrets.AUTH_TOKEN}`, "content-type": "application/json" };
const call = async (path: string, init: RequestInit) => {
  const res = await fetch(`${server.url}/api${path}`, { ...init, headers: auth });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

try {
  // Client side: what extraction costs per MB of transcript.
  const sample = longTranscript(2000);
  const t0 = performance.now();
  const docsSample = searchDocuments(mapSession("claude-code", sample));
  const extractMs = performance.now() - t0;
  const mb = Buffer.byteLength(sample) / 1024 / 1024;
  console.log(
    `extract (CLI, mapper): ${mb.toFixed(1)} MB transcript → ${docsSample.length} docs in ${extractMs.toFixed(0)} ms (${(extractMs / mb).toFixed(0)} ms/MB)`,
  );

  let indexMs = 0;
  let indexBytes = 0;
  const repo = { host: "github.com", owner: "bench", name: "monorepo" };
  const started = Date.now();
  for (let s = 0; s < SESSIONS; s++) {
    const id = randomUUID();
    const at = Date.parse("2026-01-01T00:00:00Z") + s * 3_600_000;
    await call("/sessions", {
      method: "POST",
      body: JSON.stringify({
        repo,
        sessions: [
          {
            id,
            agent: ["claude-code", "pi", "codex"][s % 3],
            status: "ended",
            data_updated_at: at,
            started_at: at,
            byte_size: 1,
            content_hash: `sha256:${"0".repeat(64)}`,
            message_count: PER_SESSION,
            title: sentence(5),
          },
        ],
      }),
    });
    const docs = Array.from({ length: PER_SESSION }, (_, i) => ({
      i,
      role: i % 2 ? "assistant" : "user",
      text: sentence(18) + (s === 500 && i === 10 ? " zanzibar quokka" : ""),
      tools: i % 2 ? "Bash Edit" : "",
      files: i % 2 ? `src/${pick()}/${pick()}.ts` : "",
      commands: i % 2 ? `npm test -- ${pick()}` : "",
      at: at + i * 1000,
      line: i + 1,
    }));
    const body = JSON.stringify({ docs });
    const t = performance.now();
    await call(`/sessions/${id}/search`, { method: "PUT", body });
    indexMs += performance.now() - t;
    indexBytes += body.length;
    if ((s + 1) % 100 === 0)
      process.stderr.write(`  indexed ${s + 1}/${SESSIONS} sessions (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  const total = SESSIONS * PER_SESSION;
  console.log(
    `index (server, D1 FTS5): ${total.toLocaleString()} messages, ${(indexBytes / 1024 / 1024).toFixed(0)} MB of docs in ${(indexMs / 1000).toFixed(1)} s (${(indexMs / (indexBytes / 1024 / 1024)).toFixed(0)} ms/MB)`,
  );

  const w = (rank: number) => WORDS[rank] as string;
  const queries = [
    '"zanzibar quokka"',
    `${w(3000)}`,
    `${w(300)} ${w(900)}`,
    `${w(60)} -${w(40)}`,
    `file:src/${w(500)}`,
    `tool:Bash ${w(1500)}`,
    `"${w(2)} ${w(3)}" ${w(700)}`,
    `${w(5)}`,
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  console.log(`query latency over ${total.toLocaleString()} messages, ${RUNS} runs each (median, round trip through the API):`);
  const all: number[] = [];
  for (const q of queries) {
    const times: number[] = [];
    let hits = 0;
    for (let r = 0; r < RUNS + 2; r++) {
      const t = performance.now();
      const res = (await call(`/search?${new URLSearchParams({ q, limit: "20" })}`, { method: "GET" })) as { hits: unknown[] };
      if (r >= 2) times.push(performance.now() - t);
      hits = res.hits.length;
    }
    all.push(...times);
    console.log(`  ${q.padEnd(28)} ${median(times).toFixed(1).padStart(7)} ms  (${hits} hits on the first page)`);
  }
  console.log(`  all queries: median ${median(all).toFixed(1)} ms (target: under 50 ms)`);
} finally {
  await server.stop();
}
