// A residue killed while holding the state lock: the next command sees the holder is dead (pid + start
// time) and goes on at once, instead of waiting for the lock to age.
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Sandbox } from "./support/harness.ts";

const startTime = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
};

function timedStatus(sb: Sandbox) {
  const started = performance.now();
  const run = sb.residue(["status"]);
  return { run, ms: performance.now() - started };
}

it("takes over a lock whose holder was SIGKILLed, and one whose pid now belongs to another process", async () => {
  const sb = new Sandbox();
  sb.residue(["status"]);
  const lock = join(sb.repo, ".residue/state.lock");

  const victim = spawn("sleep", ["30"]);
  const pid = victim.pid as number;
  writeFileSync(lock, `${pid} ${startTime(pid)}\n`);
  const dead = new Promise((r) => victim.on("exit", r));
  victim.kill("SIGKILL");
  await dead;
  const afterKill = timedStatus(sb);
  expect(afterKill.run.status, afterKill.run.stderr).toBe(0);
  expect(afterKill.ms).toBeLessThan(5000);

  // This test process is alive, but it is not the process that took the lock (another start time).
  writeFileSync(lock, `${process.pid} 1\n`);
  const reused = timedStatus(sb);
  expect(reused.run.status, reused.run.stderr).toBe(0);
  expect(reused.ms).toBeLessThan(5000);
});

it("never holds the lock while a fold reads a huge transcript: other residue commands go on, and none takes the lock over", async () => {
  const sb = new Sandbox();
  sb.residue(["init"]);
  // ~60 MB of conversation, stamped before the commit: the fold must read all of it.
  const big = join(sb.dir, "big.jsonl");
  const base = Date.now() - 60_000;
  const pad = "x".repeat(900);
  const chunk = (from: number) =>
    Array.from({ length: 1000 }, (_, k) => {
      const i = from + k;
      const role = i % 2 ? "assistant" : "user";
      return `${JSON.stringify({ type: role, uuid: `u${i}`, timestamp: new Date(base + i).toISOString(), message: { role, content: `m${i} ${pad}` } })}\n`;
    }).join("");
  writeFileSync(big, "");
  for (let i = 0; i < 60_000; i += 1000) appendFileSync(big, chunk(i));
  const bigId = sb.residue(["session", "start", "--agent", "claude-code", "--data", big]).stdout.trim();
  sb.edit("a.ts", "a\n");
  sb.git("commit", "-qm", "a");

  const lock = join(sb.repo, ".residue/state.lock");
  const [cmd, ...pre] = sb.command;
  const started = performance.now();
  const fold = spawn(cmd as string, [...pre, "capture"], { cwd: sb.repo, env: sb.env });
  const folded = new Promise<number>((r) => fold.on("close", (code) => r(code ?? -1)));
  let running = true;
  void folded.then(() => {
    running = false;
  });
  // Who holds the lock, sampled as often as the event loop allows while the fold runs.
  let heldSince: number | null = null;
  let longestHold = 0;
  const sampler = setInterval(() => {
    let holder: string | null = null;
    try {
      holder = readFileSync(lock, "utf8").split(" ")[0] ?? null;
    } catch {
      // no lock right now
    }
    const now = performance.now();
    if (holder === String(fold.pid)) heldSince ??= now;
    else if (heldSince !== null) {
      longestHold = Math.max(longestHold, now - heldSince);
      heldSince = null;
    }
  }, 1);
  // Meanwhile sessions start one after another, as agents in other terminals would.
  const during: { ms: number; status: number }[] = [];
  let made = 0;
  for (; running && made < 50; made++) {
    const n = made;
    const path = join(sb.dir, `other-${n}.jsonl`);
    writeFileSync(path, "");
    const t = performance.now();
    const run = await sb.residueAsync(["session", "start", "--agent", "claude-code", "--data", path]);
    if (running) during.push({ ms: performance.now() - t, status: run.status });
  }
  expect(await folded).toBe(0);
  const foldMs = performance.now() - started;
  clearInterval(sampler);

  expect(foldMs).toBeGreaterThan(1000);
  expect(during.length).toBeGreaterThanOrEqual(2);
  expect(during.every((r) => r.status === 0)).toBe(true);
  // The lock is held for the short steps around the read, never across it.
  // (A bound relative to the fold: a loaded machine may stall the holder too, but not for most of the read.)
  expect(longestHold).toBeLessThan(foldMs / 3);
  const state = JSON.parse(readFileSync(join(sb.repo, ".residue/state.json"), "utf8"));
  // No start was lost to the fold writing an older copy of the state over it.
  expect(Object.keys(state.sessions)).toHaveLength(1 + made);
  expect(state.commits[sb.git("rev-parse", "HEAD").trim()].sessions.map((l: { session_id: string }) => l.session_id)).toEqual([bigId]);
}, 120_000);
