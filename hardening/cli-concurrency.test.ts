// Concurrency on the CLI side: many hooks at once in one repo lose and duplicate nothing, and many repos
// pushing to one backend at once leave each row exactly once. Loopback only.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, inject, it } from "vitest";
import { BINARY, seconds, transcriptLines } from "../cli/test/support/harness.ts";
import { recordFigure } from "./support/figures.ts";
import { expectBackendHolds, PushScenario, timed } from "./support/push-scenario.ts";

const SECTION = "Concurrency and load";

it("50 hook invocations at once in one repo: agent session starts, folds and pre-push syncs", async () => {
  const scenario = await PushScenario.create(5, 10);
  const { sb } = scenario;
  await scenario.close();
  sb.env.RESIDUE_URL = inject("baseUrl");
  sb.env.RESIDUE_HOOK_TIMEOUT = "60";
  // Before the scenario's clock (an hour back): these conversations are under way when its commits are made.
  const t0 = new Date(Date.now() - 7_200_000);
  const agentIds = Array.from({ length: 25 }, (_, i) => `agent-session-${i}`);
  const payloads = agentIds.map((id, i) => {
    const path = join(sb.dir, `agent-${i}.jsonl`);
    writeFileSync(path, transcriptLines([seconds(t0, i)]));
    return JSON.stringify({ session_id: id, transcript_path: path, cwd: sb.repo, hook_event_name: "SessionStart", source: "startup" });
  });
  const opts = { cwd: sb.repo, env: sb.env, limitMs: 120_000 };
  const started = performance.now();
  const runs = await Promise.all([
    ...payloads.map((input) => timed(BINARY, ["hook", "claude-code"], { ...opts, input })),
    ...Array.from({ length: 15 }, () => timed(BINARY, ["status", "--json"], opts)),
    ...Array.from({ length: 10 }, () => timed(BINARY, ["sync", "--hook"], opts)),
  ]);
  const wallMs = performance.now() - started;
  expect(runs.filter((r) => r.status !== 0).map((r) => r.stderr)).toEqual([]);

  // Every session is queued exactly once, whichever hook won which race.
  const queued = (JSON.parse(sb.residue(["status", "--json"]).stdout).sessions as { id: string }[]).map((s) => s.id);
  expect(queued).toHaveLength(30);
  expect(new Set(queued).size).toBe(30);
  await scenario.expectCompleteAfterRetry(queued);
  recordFigure({
    section: SECTION,
    what: "50 hook invocations at once, one repo (25 session starts, 15 folds, 10 pre-push syncs)",
    result: `all exit 0 in ${(wallMs / 1000).toFixed(1)} s (${(50 / (wallMs / 1000)).toFixed(1)} hooks/s); 30 sessions, 11 commits, each once`,
  });
}, 180_000);

it("20 repos pushing to one backend at once", async () => {
  const repos = await Promise.all(Array.from({ length: 20 }, () => PushScenario.create(2, 2)));
  for (const r of repos) {
    await r.close();
    r.sb.env.RESIDUE_URL = inject("baseUrl");
    r.sb.env.RESIDUE_HOOK_TIMEOUT = "90";
    for (const s of r.sessions) r.sb.residue(["session", "end", "--id", s.id]);
  }
  const started = performance.now();
  const pushes = await Promise.all(
    repos.map((r) => timed("git", ["push", "-q", "origin", "main"], { cwd: r.sb.repo, env: r.sb.env, limitMs: 120_000 })),
  );
  const wallMs = performance.now() - started;
  expect(pushes.map((p) => p.status)).toEqual(Array(20).fill(0));
  expect(pushes.filter((p) => p.stderr.trim())).toEqual([]);
  for (const r of repos)
    await expectBackendHolds(
      r.sb,
      r.shas,
      r.sessions.map((s) => s.id),
    );
  recordFigure({
    section: SECTION,
    what: "20 repos × (2 sessions, 2 commits) pushed at once to one backend",
    result: `all git push exit 0 in ${(wallMs / 1000).toFixed(1)} s wall (${(40 / (wallMs / 1000)).toFixed(1)} sessions/s); 0 duplicate, 0 missing rows`,
  });
}, 180_000);
