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
import { get as httpGet } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { constants, createGunzip, deflateRawSync } from "node:zlib";
import type { LocalSecrets } from "../api/local/dev-vars.ts";
import { type LocalServer, ROOT, startTemporaryServer } from "../api/local/server.ts";
import { Sandbox } from "../cli/test/support/harness.ts";
import { appWorkerdPid, cpuMs, peakMb, resetPeak, rssMb, workerdPids } from "./support/workerd-process.ts";

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
  /** workerd CPU ms per view (process CPU over the views / views): permalink, fold fragment, session page. */
  cpu: { permalink: number; fragment: number; session: number };
  /** R2 reads of one fragment and one session page view (Server-Timing). */
  fragmentReads: number;
  sessionReads: number;
}

export interface GrowthFigures {
  label: string;
  newRawBytes: number;
  /** The new lines compressed on their own (deflate level 6): what storing them costs at least. */
  newDeflatedBytes: number;
  /** What the second push stored: its chunk and its index object. */
  uploadedBytes: number;
  layout: string;
  rawMb: number;
  /** Wall time of each push through the compiled CLI, and workerd CPU while the second ran. */
  firstPushSeconds: number;
  secondPushSeconds: number;
  secondPushCpuMs: number;
}

export interface DownloadFigures {
  mode: string;
  bytes: number;
  exact: boolean;
  seconds: number;
  rssBeforeMb: number;
  peakMb: number;
  cpuSeconds: number;
}

export interface ScaleFigures {
  /** workerd CPU ms of one `GET /api/health`: what any request costs in local workerd, the floor of the rest. */
  floorCpuMs: number;
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

/** The R2 reads and bytes a page's Server-Timing reports (`desc="reads=2 read=… inflated=…"`). */
const serverTiming = (res: Response): Record<string, number> => {
  const desc = /desc="([^"]*)"/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? "";
  return Object.fromEntries(desc.split(" ").map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])]));
};

/** workerd CPU ms per call of `work`, over `runs` calls (process CPU, all threads). */
async function cpuPer(pid: number, runs: number, work: () => Promise<unknown>): Promise<number> {
  const before = cpuMs(pid);
  for (let i = 0; i < runs; i++) await work();
  return (cpuMs(pid) - before) / runs;
}

/** Permalink views, interleaved across sessions so the machine's noise falls on all of them alike. */
async function views(server: LocalServer & { secrets: LocalSecrets }, opts: ScaleOptions) {
  const pids = workerdPids(server.process.pid as number);
  const app = appWorkerdPid(pids);
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
  const page = async (path: string, what: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: auth } });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${what}: HTTP ${res.status}`);
    return { res, body };
  };
  const view = async (s: (typeof sessions)[number]) => {
    const start = performance.now();
    const { res, body } = await page(`/app/${s.sb.owner}/widgets/${s.sha}`, `permalink of ${s.turns} turns`);
    s.bytes = body.byteLength;
    s.timing = serverTiming(res);
    return performance.now() - start;
  };
  // The fold before the middle of the session (what "Show N earlier" loads), and "show all"'s first page.
  const middle = (s: (typeof sessions)[number]) => Math.floor((s.stored.manifest?.messages ?? 0) / 2);
  const fragmentPath = (s: (typeof sessions)[number]) =>
    `/app/-/fragment/${s.id}?from=${Math.max(0, middle(s) - 200)}&to=${Math.max(0, middle(s) - 1)}`;
  const sessionPath = (s: (typeof sessions)[number]) => `/app/-/session/${s.id}`;
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
  // CPU: each page of each session alone, after one view that warms it.
  const floorCpuMs = await cpuPer(app, opts.runs, () => fetch(`${server.url}/api/health`).then((res) => res.arrayBuffer()));
  const cpu = new Map<(typeof sessions)[number], ViewFigures["cpu"] & { fragmentReads: number; sessionReads: number }>();
  for (const s of sessions) {
    const fragment = await page(fragmentPath(s), `fragment of ${s.turns} turns`);
    const session = await page(sessionPath(s), `session page of ${s.turns} turns`);
    cpu.set(s, {
      permalink: await cpuPer(app, opts.runs, () => view(s)),
      fragment: await cpuPer(app, opts.runs, () => page(fragmentPath(s), "fragment")),
      session: await cpuPer(app, opts.runs, () => page(sessionPath(s), "session page")),
      fragmentReads: serverTiming(fragment.res).reads ?? Number.NaN,
      sessionReads: serverTiming(session.res).reads ?? Number.NaN,
    });
  }
  const figures = sessions.map((s): ViewFigures => {
    const c = cpu.get(s) as NonNullable<ReturnType<typeof cpu.get>>;
    return {
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
      cpu: { permalink: c.permalink, fragment: c.fragment, session: c.session },
      fragmentReads: c.fragmentReads,
      sessionReads: c.sessionReads,
    };
  });
  return { figures, floorCpuMs, largest: sessions.at(-1) as (typeof sessions)[number] };
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

/**
 * A session of `turns` turns pushed at `from` of its main lines, grown to `to`, pushed again: what the
 * second push stored, both pushes' wall time, and workerd's CPU while the second ran.
 */
async function growth(server: LocalServer & { secrets: LocalSecrets }, opts: ScaleOptions, turns: number, from: number, to: number) {
  const source = transcript(opts.cacheDir, turns);
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
  opts.log?.(`growth of ${turns} turns: pushing ${(a / 1e6).toFixed(0)} MB, then ${(b / 1e6).toFixed(0)} MB…`);
  const firstPushSeconds = await checkedPush(sb);
  writeFileSync(file, bytes.subarray(0, b));
  const app = appWorkerdPid(workerdPids(server.process.pid as number));
  const cpuBefore = cpuMs(app);
  const secondPushSeconds = await checkedPush(sb);
  const secondPushCpuMs = cpuMs(app) - cpuBefore;
  const stored = await storedLayout(sb, id);
  const uploaded = stored.manifest
    ? [...stored.manifest.chunks, ...stored.manifest.pages.map((p) => ({ push: p.push, bytes: p.length }))]
        .filter((o) => o.push === 1)
        .reduce((n, o) => n + o.bytes, 0)
    : Number.NaN;
  const added = bytes.subarray(a, b);
  return {
    label: `${(to * 100).toFixed(0)} % of ${turns} turns after ${(from * 100).toFixed(0)} %`,
    newRawBytes: added.length,
    newDeflatedBytes: deflateRawSync(added, { level: 6, finishFlush: constants.Z_FULL_FLUSH }).length,
    uploadedBytes: uploaded,
    layout: stored.layout,
    rawMb: b / 1e6,
    firstPushSeconds,
    secondPushSeconds,
    secondPushCpuMs,
  } satisfies GrowthFigures;
}

function failedGrowth(label: string, error: Error): GrowthFigures {
  const nan = Number.NaN;
  return {
    label: `${label}: **failed** (${error.message.split("\n")[0]?.slice(0, 160)})`,
    newRawBytes: nan,
    newDeflatedBytes: nan,
    uploadedBytes: nan,
    layout: "-",
    rawMb: nan,
    firstPushSeconds: nan,
    secondPushSeconds: nan,
    secondPushCpuMs: nan,
  };
}

/** How a download asks: the `?plain=1` query and the Accept-Encoding it sends (none: no header at all). */
const DOWNLOADS = [
  { mode: "gzip (client sends Accept-Encoding: gzip; inflated by the client)", query: "", acceptEncoding: "gzip" },
  { mode: "plain (?plain=1, Accept-Encoding: identity; inflated by the Worker)", query: "?plain=1", acceptEncoding: "identity" },
  { mode: "plain (no Accept-Encoding, as curl without --compressed; inflated by the Worker)", query: "", acceptEncoding: null },
] as const;

/** The raw download of a session, read as it comes (inflated here when gzip) while workerd's memory is watched. */
async function download(
  server: LocalServer,
  sb: Sandbox,
  id: string,
  path: string,
  how: (typeof DOWNLOADS)[number],
): Promise<DownloadFigures> {
  const pids = workerdPids(server.process.pid as number);
  const want = createHash("sha256");
  for await (const chunk of createReadStream(path)) want.update(chunk as Buffer);
  const rssBefore = rssMb(pids);
  resetPeak(pids);
  const app = appWorkerdPid(pids);
  const cpuBefore = cpuMs(app);
  const got = createHash("sha256");
  let bytes = 0;
  const start = performance.now();
  const headers: Record<string, string> = { authorization: `Bearer ${sb.env.RESIDUE_TOKEN}` };
  if (how.acceptEncoding) headers["accept-encoding"] = how.acceptEncoding;
  const res = await new Promise<import("node:http").IncomingMessage>((resolve, reject) =>
    httpGet(`${server.url}/api/sessions/${id}${how.query}`, { headers }, resolve).on("error", reject),
  );
  if (res.statusCode !== 200) throw new Error(`raw download answered ${res.statusCode}`);
  const gzip = res.headers["content-encoding"] === "gzip";
  if (gzip !== (how.acceptEncoding === "gzip"))
    throw new Error(`raw download (${how.mode}) came with content-encoding ${res.headers["content-encoding"]}`);
  const body = gzip ? res.pipe(createGunzip()) : res;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.byteLength;
    got.update(chunk);
  }
  return {
    mode: how.mode,
    bytes,
    exact: got.digest("hex") === want.digest("hex"),
    seconds: (performance.now() - start) / 1000,
    rssBeforeMb: rssBefore,
    peakMb: peakMb(pids),
    cpuSeconds: (cpuMs(app) - cpuBefore) / 1000,
  };
}

export async function runScaleBench(opts: ScaleOptions): Promise<ScaleFigures> {
  const server = await startTemporaryServer();
  try {
    const { figures, floorCpuMs, largest } = await views(server, opts);
    // The largest session, downloaded each way.
    const downloads: DownloadFigures[] = [];
    for (const how of DOWNLOADS) downloads.push(await download(server, largest.sb, largest.id, largest.path, how));
    const growthFigures = [await growth(server, opts, opts.growthTurns, 0.9, 1), await growth(server, opts, opts.growthTurns, 0.99, 1)];
    // The two largest sessions grown by 1 %: what re-reading the whole transcript on every push costs. A
    // push that fails (the CLI gives up on a request after 15 s) is reported as such, with the rest.
    for (const turns of opts.turns.slice(-2)) {
      growthFigures.push(
        await growth(server, opts, turns, 0.99, 1).catch((error: Error) => failedGrowth(`100 % of ${turns} turns after 99 %`, error)),
      );
    }
    return { floorCpuMs, views: figures, growth: growthFigures, downloads };
  } finally {
    await server.stop();
  }
}

const ms = (n: number) => n.toFixed(1);

/** The CPU figures against Workers Free's 10 ms a request and Paid's minutes. */
function planLine(f: ScaleFigures): string {
  const views = f.views.flatMap((v) => Object.values(v.cpu));
  const pushes = f.growth.map((g) => g.secondPushCpuMs).filter(Number.isFinite);
  const plain = f.downloads.filter((d) => d.mode.startsWith("plain")).map((d) => (d.cpuSeconds * 1000) / (d.bytes / 1e6));
  return [
    `Against the plans (Workers Free: 10 ms CPU a request; Paid: up to 5 min): views took ${ms(Math.min(...views))}–${ms(Math.max(...views))} ms of workerd CPU,`,
    `${ms(Math.min(...views) - f.floorCpuMs)}–${ms(Math.max(...views) - f.floorCpuMs)} ms above a health check, the same at every session size; an upper bound of the`,
    `Worker's share, which this method cannot split from local workerd's own. A growth push: ${Math.min(...pushes).toFixed(0)}–${Math.max(...pushes).toFixed(0)} ms over all its`,
    `requests (upload URL, chunk and index through the local upload route, the merge with its chunk check). The plain download: ${plain.map(ms).join(" / ")} ms per MB.`,
  ].join(" ");
}

export function scaleReport(f: ScaleFigures): string {
  const rows = f.views.map(
    (v) =>
      `| ${v.turns} | ${v.rawMb.toFixed(0)} | ${v.messages} | ${v.layout} | ${v.pushSeconds.toFixed(1)} | ${v.medianMs.toFixed(1)} | ${v.responseKb.toFixed(0)} | ${v.reads} | ${v.readKb.toFixed(0)} | ${v.inflatedKb.toFixed(0)} | ${v.rssBeforeMb.toFixed(0)} → ${v.peakMb.toFixed(0)} (+${(v.peakMb - v.rssBeforeMb).toFixed(0)}) |`,
  );
  const cpuRows = f.views.map(
    (v) =>
      `| ${v.rawMb.toFixed(0)} MB | ${ms(v.cpu.permalink)} | ${ms(v.cpu.fragment)} (${v.fragmentReads}) | ${ms(v.cpu.session)} (${v.sessionReads}) |`,
  );
  const [small, large] = [f.views[0], f.views.at(-1)];
  const ratio = small && large ? large.medianMs / small.medianMs : Number.NaN;
  const growthRows = f.growth.map(
    (g) =>
      `| ${g.label} | ${g.rawMb.toFixed(0)} | ${(g.newRawBytes / 1e6).toFixed(2)} | ${(g.newDeflatedBytes / 1e6).toFixed(3)} | ${(g.uploadedBytes / 1e6).toFixed(3)} | ${(g.uploadedBytes / g.newDeflatedBytes).toFixed(2)}× | ${g.firstPushSeconds.toFixed(1)} | ${g.secondPushSeconds.toFixed(1)} | ${g.secondPushCpuMs.toFixed(0)} |`,
  );
  const downloadRows = f.downloads.map(
    (d) =>
      `| ${d.mode} | ${(d.bytes / 1e6).toFixed(0)} | ${d.exact ? "yes" : "**no**"} | ${d.seconds.toFixed(1)} | ${d.cpuSeconds.toFixed(1)} | ${d.rssBeforeMb.toFixed(0)} → ${d.peakMb.toFixed(0)} |`,
  );
  return [
    "| turns | raw MB | messages | layout | push s | permalink ms (median) | response KB | R2 reads/view | KB read/view | KB inflated/view | workerd RSS MB: before → peak of the views |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `Permalink time, largest / smallest session: **${ratio.toFixed(2)}×** (target ≤ 1.5×).`,
    "",
    `workerd CPU ms per view: the CPU time of the app's workerd process (all threads, /proc schedstat) over a run of views of one page, divided by the views. That process also runs local workerd's entry worker and its R2/D1 simulators, so this bounds the Worker's own CPU from above: \`GET /api/health\` costs **${ms(f.floorCpuMs)} ms** of it. In parentheses: R2 reads of one view (Server-Timing).`,
    "",
    '| session | permalink | fold fragment (200 messages before the middle) | session page ("show all", first 200) |',
    "|---|---|---|---|",
    ...cpuRows,
    "",
    planLine(f),
    "",
    "| growth | session MB | new raw MB | new lines deflated alone MB | second push stored MB (chunk + index) | ratio | first push s | second push s | workerd CPU ms during the second push |",
    "|---|---|---|---|---|---|---|---|---|",
    ...growthRows,
    "",
    "| raw download of the largest session | MB | bytes exact | s | workerd CPU s | workerd RSS MB: before → peak |",
    "|---|---|---|---|---|---|",
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

if (import.meta.main && process.env.BENCH_SCALE_FIGURES) {
  // The report again from a run's saved figures (e.g. after a change to the report's wording).
  writeResults(scaleReport(JSON.parse(readFileSync(process.env.BENCH_SCALE_FIGURES, "utf8")) as ScaleFigures));
} else if (import.meta.main) {
  const figures = await runScaleBench({
    turns: (process.env.BENCH_SCALE_TURNS ?? "250,2500,25000,60000").split(",").map(Number),
    runs: Number(process.env.BENCH_SCALE_RUNS ?? 15),
    cacheDir: process.env.BENCH_SCALE_DIR ?? "/tmp/residue-bench-scale",
    growthTurns: Number(process.env.BENCH_SCALE_GROWTH_TURNS ?? 2500),
    log: console.log,
  });
  writeFileSync(join(process.env.BENCH_SCALE_DIR ?? "/tmp/residue-bench-scale", "figures.json"), JSON.stringify(figures, null, 1));
  const report = scaleReport(figures);
  console.log(report);
  if (!process.env.BENCH_SCALE_TURNS) writeResults(report);
}
