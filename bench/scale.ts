// Sessions of any size (issue #13), measured in one run on the local app in workerd with local D1/R2, through
// the compiled CLI: the permalink of a commit in the middle of sessions of ~1k / 10k / 100k messages and of a
// 1 GB transcript (time per view and its ratio largest/smallest, workerd's memory per batch of views, the first
// response's size), the bytes a grown session's re-push uploads against its new bytes, and the raw download of
// the largest session (memory while it streams, bytes exact).
//   npm run bench:scale                       (writes bench/RESULTS.md)
//   BENCH_SCALE_TURNS=250,2500 npm run bench:scale

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { constants, deflateRawSync } from "node:zlib";
import type { LocalSecrets } from "../api/local/dev-vars.ts";
import { type LocalServer, ROOT, startTemporaryServer } from "../api/local/server.ts";
import { Sandbox } from "../cli/test/support/harness.ts";
import { peakMb, resetPeak, rssMb, workerdPids } from "./support/workerd-process.ts";

export interface ScaleOptions {
  /** Turns of each generated Claude Code session (gen-transcript: ~4 messages a turn, ~17 KB a turn). */
  turns: number[];
  /** Views of each permalink, interleaved across sessions. */
  runs: number;
  /** Where generated transcripts are kept between runs. */
  cacheDir: string;
  /** Turns of the session grown between two pushes. */
  growthTurns: number;
  log?: (line: string) => void;
}

export interface ViewFigures {
  turns: number;
  rawMb: number;
  messages: number;
  pushSeconds: number;
  medianMs: number;
  responseKb: number;
  rssBeforeMb: number;
  peakMb: number;
  layout: string;
  /** What one view read by range, as the page's Server-Timing says (R2 reads, bytes read, bytes inflated). */
  reads: number;
  readKb: number;
  inflatedKb: number;
}

export interface GrowthFigures {
  label: string;
  newRawBytes: number;
  /** The new lines compressed on their own (deflate level 6): what storing them costs at least. */
  newDeflatedBytes: number;
  /** What the second push stored: its chunk and its index object. */
  uploadedBytes: number;
  layout: string;
}

export interface DownloadFigures {
  mode: string;
  bytes: number;
  exact: boolean;
  seconds: number;
  rssBeforeMb: number;
  peakMb: number;
}

export interface ScaleFigures {
  views: ViewFigures[];
  growth: GrowthFigures[];
  downloads: DownloadFigures[];
}

const MARKER = '"type":"residue-file"';

/** A generated transcript of `turns` turns, made once and kept in the cache. */
function transcript(cacheDir: string, turns: number): string {
  const path = join(cacheDir, `t${turns}.jsonl`);
  if (existsSync(path)) return path;
  mkdirSync(cacheDir, { recursive: true });
  const made = spawnSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), `${path}.tmp`, String(turns)], {
    stdio: "inherit",
  });
  if (made.status !== 0) throw new Error(`gen-transcript failed for ${turns} turns`);
  renameSync(`${path}.tmp`, path);
  return path;
}

const lines = (path: string) => createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });

/** The time of the main transcript's middle line (a commit made then links the middle of the session). */
async function middleTime(path: string): Promise<number> {
  const times: number[] = [];
  for await (const line of lines(path)) {
    if (line.includes(MARKER)) break;
    const m = /"timestamp":"([^"]+)"/.exec(line);
    if (m) times.push(Date.parse(m[1] as string));
  }
  const sorted = times.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error(`${path} has no timestamps`);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function checkedPush(sb: Sandbox): Promise<number> {
  const start = performance.now();
  const push = await sb.residueAsync(["push"]);
  if (push.status !== 0) throw new Error(`push failed: ${push.stderr}`);
  return (performance.now() - start) / 1000;
}

/** A session registered from `path`, a commit at its middle, ended and pushed: the permalink to view. */
async function pushedSession(server: LocalServer & { secrets: LocalSecrets }, path: string) {
  const sb = new Sandbox(server.url, server.secrets.AUTH_TOKEN);
  sb.residue(["init"]);
  const start = sb.residue(["session", "start", "--agent", "claude-code", "--data", path]);
  if (start.status !== 0) throw new Error(start.stderr);
  const id = start.stdout.trim();
  sb.edit("notes.txt", "middle\n");
  sb.gitAt(new Date((await middleTime(path)) + 1000), "commit", "-qm", "the middle of the session");
  const sha = sb.git("rev-parse", "HEAD").trim();
  sb.residue(["session", "end", "--id", id]);
  const pushSeconds = await checkedPush(sb);
  return { sb, id, sha, pushSeconds };
}

interface StoredLayout {
  layout: string;
  manifest: { messages: number; chunks: { push: number; bytes: number }[]; pages: { push: number; length: number }[] } | null;
}

async function storedLayout(sb: Sandbox, id: string): Promise<StoredLayout> {
  const res = await sb.get(`/sessions/${id}/layout`);
  if (res.status !== 200) return { layout: `unknown (layout answered ${res.status})`, manifest: null };
  return (await res.json()) as StoredLayout;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Permalink views, interleaved across sessions so the machine's noise falls on all of them alike. */
async function views(server: LocalServer & { secrets: LocalSecrets }, opts: ScaleOptions) {
  const pids = workerdPids(server.process.pid as number);
  const auth = `Basic ${btoa(`${server.secrets.ADMIN_USERNAME}:${server.secrets.ADMIN_PASSWORD}`)}`;
  const sessions: (Awaited<ReturnType<typeof pushedSession>> & {
    turns: number;
    path: string;
    stored: StoredLayout;
    ms: number[];
    bytes: number;
    timing: Record<string, number>;
    rssBefore: number;
    peak: number;
  })[] = [];
  for (const turns of opts.turns) {
    const path = transcript(opts.cacheDir, turns);
    opts.log?.(`pushing ${turns} turns (${(statSync(path).size / 1e6).toFixed(0)} MB) through the CLI…`);
    const pushed = await pushedSession(server, path);
    const stored = await storedLayout(pushed.sb, pushed.id);
    sessions.push({ turns, path, ...pushed, stored, ms: [], bytes: 0, timing: {}, rssBefore: 0, peak: 0 });
  }
  const view = async (s: (typeof sessions)[number]) => {
    const start = performance.now();
    const res = await fetch(`${server.url}/app/${s.sb.owner}/widgets/${s.sha}`, { headers: { authorization: auth } });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`permalink of ${s.turns} turns: HTTP ${res.status}`);
    s.bytes = body.byteLength;
    const desc = /desc="([^"]*)"/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? "";
    s.timing = Object.fromEntries(desc.split(" ").map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])]));
    return performance.now() - start;
  };
  // Memory: each session's views alone, after a reset of workerd's peak.
  for (const s of sessions) {
    await view(s);
    s.rssBefore = rssMb(pids);
    resetPeak(pids);
    for (let i = 0; i < opts.runs; i++) await view(s);
    s.peak = peakMb(pids);
  }
  // Time: interleaved.
  for (let i = 0; i < opts.runs; i++) for (const s of sessions) s.ms.push(await view(s));
  const figures = sessions.map(
    (s): ViewFigures => ({
      turns: s.turns,
      rawMb: statSync(s.path).size / 1e6,
      messages: s.stored.manifest?.messages ?? 0,
      pushSeconds: s.pushSeconds,
      medianMs: median(s.ms),
      responseKb: s.bytes / 1024,
      rssBeforeMb: s.rssBefore,
      peakMb: s.peak,
      layout: s.stored.layout,
      reads: s.timing.reads ?? Number.NaN,
      readKb: (s.timing.read ?? Number.NaN) / 1024,
      inflatedKb: (s.timing.inflated ?? Number.NaN) / 1024,
    }),
  );
  return { figures, largest: sessions.at(-1) as (typeof sessions)[number] };
}

/** The main transcript's lines (before any appended sub-agent file), as byte offsets of line ends. */
async function mainLineEnds(path: string): Promise<number[]> {
  const ends: number[] = [];
  let at = 0;
  for await (const line of lines(path)) {
    if (line.includes(MARKER)) break;
    at += Buffer.byteLength(line) + 1;
    ends.push(at);
  }
  return ends;
}

/** A session pushed at `from` of its main lines, grown to `to`, pushed again: what the second push stored. */
async function growth(server: LocalServer & { secrets: LocalSecrets }, opts: ScaleOptions, from: number, to: number) {
  const source = transcript(opts.cacheDir, opts.growthTurns);
  const ends = await mainLineEnds(source);
  const bytes = readFileSync(source);
  const cut = (fraction: number) => ends[Math.max(0, Math.floor(ends.length * fraction) - 1)] as number;
  const [a, b] = [cut(from), cut(to)];
  const sb = new Sandbox(server.url, server.secrets.AUTH_TOKEN);
  const file = join(sb.dir, "growing.jsonl");
  writeFileSync(file, bytes.subarray(0, a));
  const start = sb.residue(["session", "start", "--agent", "claude-code", "--data", file]);
  if (start.status !== 0) throw new Error(start.stderr);
  const id = start.stdout.trim();
  await checkedPush(sb);
  writeFileSync(file, bytes.subarray(0, b));
  await checkedPush(sb);
  const stored = await storedLayout(sb, id);
  const uploaded = stored.manifest
    ? [...stored.manifest.chunks, ...stored.manifest.pages.map((p) => ({ push: p.push, bytes: p.length }))]
        .filter((o) => o.push === 1)
        .reduce((n, o) => n + o.bytes, 0)
    : Number.NaN;
  const added = bytes.subarray(a, b);
  return {
    label: `${(to * 100).toFixed(0)} % of ${opts.growthTurns} turns after ${(from * 100).toFixed(0)} %`,
    newRawBytes: added.length,
    newDeflatedBytes: deflateRawSync(added, { level: 6, finishFlush: constants.Z_FULL_FLUSH }).length,
    uploadedBytes: uploaded,
    layout: stored.layout,
  } satisfies GrowthFigures;
}

/** The raw download of a session, streamed to nothing while workerd's memory is watched. */
async function download(server: LocalServer, sb: Sandbox, id: string, path: string, plain: boolean): Promise<DownloadFigures> {
  const pids = workerdPids(server.process.pid as number);
  const rssBefore = rssMb(pids);
  resetPeak(pids);
  const want = createHash("sha256");
  for await (const chunk of createReadStream(path)) want.update(chunk as Buffer);
  const got = createHash("sha256");
  let bytes = 0;
  const start = performance.now();
  const res = await sb.get(`/sessions/${id}${plain ? "?plain=1" : ""}`);
  if (res.status !== 200 || !res.body) throw new Error(`raw download answered ${res.status}`);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    got.update(chunk);
  }
  return {
    mode: plain ? "plain (?plain=1, inflated by the Worker)" : "gzip (Content-Encoding, inflated by the client)",
    bytes,
    exact: got.digest("hex") === want.digest("hex"),
    seconds: (performance.now() - start) / 1000,
    rssBeforeMb: rssBefore,
    peakMb: peakMb(pids),
  };
}

export async function runScaleBench(opts: ScaleOptions): Promise<ScaleFigures> {
  const server = await startTemporaryServer();
  try {
    const { figures, largest } = await views(server, opts);
    const growthFigures = [await growth(server, opts, 0.9, 1), await growth(server, opts, 0.99, 1)];
    // The largest session, downloaded both ways.
    const downloads = [
      await download(server, largest.sb, largest.id, largest.path, false),
      await download(server, largest.sb, largest.id, largest.path, true),
    ];
    return { views: figures, growth: growthFigures, downloads };
  } finally {
    await server.stop();
  }
}

export function scaleReport(f: ScaleFigures): string {
  const rows = f.views.map(
    (v) =>
      `| ${v.turns} | ${v.rawMb.toFixed(0)} | ${v.messages} | ${v.layout} | ${v.pushSeconds.toFixed(1)} | ${v.medianMs.toFixed(1)} | ${v.responseKb.toFixed(0)} | ${v.reads} | ${v.readKb.toFixed(0)} | ${v.inflatedKb.toFixed(0)} | ${v.rssBeforeMb.toFixed(0)} → ${v.peakMb.toFixed(0)} (+${(v.peakMb - v.rssBeforeMb).toFixed(0)}) |`,
  );
  const [small, large] = [f.views[0], f.views.at(-1)];
  const ratio = small && large ? large.medianMs / small.medianMs : Number.NaN;
  const growthRows = f.growth.map(
    (g) =>
      `| ${g.label} | ${g.layout} | ${(g.newRawBytes / 1e6).toFixed(2)} | ${(g.newDeflatedBytes / 1e6).toFixed(3)} | ${(g.uploadedBytes / 1e6).toFixed(3)} | ${(g.uploadedBytes / g.newDeflatedBytes).toFixed(2)}× |`,
  );
  const downloadRows = f.downloads.map(
    (d) =>
      `| ${d.mode} | ${(d.bytes / 1e6).toFixed(0)} | ${d.exact ? "yes" : "**no**"} | ${d.seconds.toFixed(1)} | ${d.rssBeforeMb.toFixed(0)} → ${d.peakMb.toFixed(0)} |`,
  );
  return [
    "| turns | raw MB | messages | layout | push s | permalink ms (median) | response KB | R2 reads/view | KB read/view | KB inflated/view | workerd RSS MB: before → peak of the views |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `Permalink time, largest / smallest session: **${ratio.toFixed(2)}×** (target ≤ 1.5×).`,
    "",
    "| growth | layout | new raw MB | new lines deflated alone MB | second push stored MB (chunk + index) | ratio |",
    "|---|---|---|---|---|---|",
    ...growthRows,
    "",
    "| raw download of the largest session | MB | bytes exact | s | workerd RSS MB: before → peak |",
    "|---|---|---|---|---|",
    ...downloadRows,
  ].join("\n");
}

const START = "<!-- scale:start -->";
const END = "<!-- scale:end -->";

/** Replaces the scale section of bench/RESULTS.md (or appends it), leaving the other benches' sections alone. */
function writeResults(report: string) {
  const file = join(ROOT, "bench/RESULTS.md");
  const text = readFileSync(file, "utf8");
  const section = `${START}\n\n## Sessions of any size (\`npm run bench:scale\`, ${new Date().toISOString().slice(0, 10)})\n\n${report}\n\n${END}`;
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  writeFileSync(
    file,
    from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + END.length) : `${text.trimEnd()}\n\n${section}\n`,
  );
}

if (import.meta.main) {
  const figures = await runScaleBench({
    turns: (process.env.BENCH_SCALE_TURNS ?? "250,2500,25000,60000").split(",").map(Number),
    runs: Number(process.env.BENCH_SCALE_RUNS ?? 15),
    cacheDir: process.env.BENCH_SCALE_DIR ?? "/tmp/residue-bench-scale",
    growthTurns: Number(process.env.BENCH_SCALE_GROWTH_TURNS ?? 2500),
    log: console.log,
  });
  const report = scaleReport(figures);
  console.log(report);
  if (!process.env.BENCH_SCALE_TURNS) writeResults(report);
}
