// A residue killed while holding the state lock: the next command sees the holder is dead (pid + start
// time) and goes on at once, instead of waiting for the lock to age.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
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
