// What residue's hooks add to `git commit`: the same commit timed in three repos, interleaved in one run
// so machine noise hits every variant alike. Reports medians and ratios against no hook.
//   npm run bench            (builds dist/residue first)
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const BINARY = join(ROOT, "dist/residue");
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const dir = mkdtempSync(join(tmpdir(), "residue-bench-"));
const env = {
  ...process.env,
  HOME: dir,
  GIT_AUTHOR_NAME: "b",
  GIT_AUTHOR_EMAIL: "b@x",
  GIT_COMMITTER_NAME: "b",
  GIT_COMMITTER_EMAIL: "b@x",
  RESIDUE_URL: "",
  RESIDUE_TOKEN: "",
};

function repo(name: string) {
  const path = join(dir, name);
  execFileSync("git", ["init", "-q", "-b", "main", path], { env });
  writeFileSync(join(path, "f"), "0\n");
  execFileSync("git", ["add", "f"], { cwd: path, env });
  execFileSync("git", ["commit", "-qm", "init"], { cwd: path, env });
  return path;
}

const variants = {
  "no hook": repo("none"),
  "residue init (journal append)": (() => {
    const path = repo("residue");
    execFileSync(BINARY, ["init"], { cwd: path, env });
    // A pending session, so a fold would have real work: the hook must not do it.
    writeFileSync(join(dir, "t.jsonl"), `${JSON.stringify({ type: "user", timestamp: new Date().toISOString() })}\n`);
    execFileSync(BINARY, ["session", "start", "--agent", "claude-code", "--data", join(dir, "t.jsonl")], { cwd: path, env });
    return path;
  })(),
  "binary in hook (residue capture)": (() => {
    const path = repo("binary");
    writeFileSync(join(dir, "t2.jsonl"), `${JSON.stringify({ type: "user", timestamp: new Date().toISOString() })}\n`);
    execFileSync(BINARY, ["session", "start", "--agent", "claude-code", "--data", join(dir, "t2.jsonl")], { cwd: path, env });
    const hook = join(path, ".git/hooks/post-commit");
    writeFileSync(hook, `#!/bin/sh\n'${BINARY}' capture >/dev/null 2>&1 || :\n`);
    chmodSync(hook, 0o755);
    return path;
  })(),
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < RUNS + 3; i++) {
  for (const [name, path] of Object.entries(variants)) {
    appendFileSync(join(path, "f"), `${i}\n`);
    const start = process.hrtime.bigint();
    const r = spawnSync("git", ["commit", "-qam", `c${i}`], { cwd: path, env });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${name}: git commit failed: ${r.stderr}`);
    if (i >= 3) times[name]?.push(ms); // the first runs warm caches
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const base = median(times["no hook"] ?? []);
console.log(`git commit, ${RUNS} interleaved runs each (median; ratio to no hook, same run)`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(34)} ${m.toFixed(1).padStart(6)} ms   ${(m / base).toFixed(2)}×   +${(m - base).toFixed(1)} ms`);
}
rmSync(dir, { recursive: true, force: true });
