// Faults during push: whatever the network or the backend does, `git push` exits 0 within the hook's bound,
// and once the fault clears, the next push leaves every session and commit on the backend exactly once.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BINARY } from "../cli/test/support/harness.ts";
import { type Fault, route } from "./support/fault-proxy.ts";
import { recordFigure, volume } from "./support/figures.ts";
import { HOOK_TIMEOUT_S, PUSH_BOUND_MS, PushScenario, storedMatchesMetadata } from "./support/push-scenario.ts";

const SECTION = "Faults during push";
const KILL_ROUNDS = volume(25, 10);
let scenario: PushScenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

async function faultThenRecover(what: string, fault: (r: ReturnType<typeof route>) => Fault) {
  scenario = await PushScenario.create();
  scenario.proxy.setRule(({ method, path }) => fault(route(method, path)));
  const push = await scenario.gitPush();
  expect(push.status, push.stderr).toBe(0);
  expect(push.ms).toBeLessThan(PUSH_BOUND_MS);
  expect(push.stderr.trim().split("\n").length).toBeLessThanOrEqual(1);
  await scenario.expectCompleteAfterRetry();
  recordFigure({
    section: SECTION,
    what,
    result: `git push exit 0 in ${(push.ms / 1000).toFixed(1)} s (bound ${HOOK_TIMEOUT_S} s); complete after retry`,
  });
}

describe("faults during push", { timeout: 90_000 }, () => {
  it("backend down", async () => {
    scenario = await PushScenario.create();
    const up = scenario.sb.env.RESIDUE_URL as string;
    scenario.sb.env.RESIDUE_URL = "http://127.0.0.1:9"; // nothing listens on the discard port
    const push = await scenario.gitPush();
    expect(push.status).toBe(0);
    expect(push.ms).toBeLessThan(PUSH_BOUND_MS);
    // Either the per-session line (no upload got through) or the whole-push line: both promise a retry.
    expect(push.stderr).toMatch(/^residue: .*(stay queued|kept for the next push)/);
    scenario.sb.env.RESIDUE_URL = up;
    await scenario.expectCompleteAfterRetry();
    recordFigure({
      section: SECTION,
      what: "backend down",
      result: `git push exit 0 in ${(push.ms / 1000).toFixed(1)} s; complete after retry`,
    });
  });

  for (const status of [500, 503])
    for (const target of ["upload-url", "upload", "sessions", "search"] as const)
      it(`${status} on ${target}`, () => faultThenRecover(`HTTP ${status} on ${target}`, (r) => (r === target ? { status } : "pass")));

  it("hang before headers (upload URL)", () =>
    faultThenRecover("hang before headers on upload-url", (r) => (r === "upload-url" ? "hang" : "pass")));
  it("hang before headers (metadata post)", () =>
    faultThenRecover("hang before headers on sessions", (r) => (r === "sessions" ? "hang" : "pass")));
  it("stalled body", () => faultThenRecover("stalled response body on upload-url", (r) => (r === "upload-url" ? "stall-body" : "pass")));
  it("stalled PUT", () => faultThenRecover("stalled upload PUT", (r) => (r === "upload" ? "hang" : "pass")));
  it("POST failing after the upload", () =>
    faultThenRecover("metadata POST fails after the backend stored it", (r) => (r === "sessions" ? "fail-after" : "pass")));
});

describe("faults on this machine during push", { timeout: 90_000 }, () => {
  it(`SIGKILL mid-sync, ${KILL_ROUNDS} rounds at random delays`, async () => {
    scenario = await PushScenario.create(3, 3);
    const { sb } = scenario;
    let killedMidway = 0;
    for (let round = 0; round < KILL_ROUNDS; round++) {
      scenario.grow(round % 3);
      if (round % 5 === 4) scenario.commit();
      const child = spawn(BINARY, ["sync", "--hook"], { cwd: sb.repo, env: sb.env, stdio: "ignore" });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
      await new Promise((r) => setTimeout(r, Math.random() * 800));
      child.kill("SIGKILL");
      if ((await exited) === "SIGKILL") killedMidway++;
    }
    // No lock or half-written file left behind stalls the next push.
    const started = performance.now();
    await scenario.expectCompleteAfterRetry();
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(PUSH_BOUND_MS + 10_000);
    expect(existsSync(join(sb.repo, ".residue/state.lock"))).toBe(false);
    recordFigure({
      section: SECTION,
      what: `SIGKILL mid-sync (${KILL_ROUNDS} rounds, random delay 0–800 ms)`,
      result: `${killedMidway}/${KILL_ROUNDS} killed before finishing; next push complete in ${(ms / 1000).toFixed(1)} s, each row once`,
    });
  }, 180_000);

  for (const damage of ["truncated", "garbage"] as const)
    it(`${damage} state file`, async () => {
      scenario = await PushScenario.create(2, 2);
      const { sb } = scenario;
      expect(sb.residue(["status"]).status).toBe(0); // folds: the commits now live only in the state
      // One more write, so the copy kept from before it holds the commits too.
      expect(sb.residue(["session", "end", "--id", scenario.sessions[1]?.id as string]).status).toBe(0);
      const statePath = join(sb.repo, ".residue/state.json");
      const text = readFileSync(statePath, "utf8");
      const cut = text.indexOf('"commits"') + 60;
      // Truncated inside the commits; or overwritten whole, leaving only the copy from before the last write.
      writeFileSync(statePath, damage === "truncated" ? text.slice(0, cut) : "\u0000\u0007 garbage ".repeat(40));
      const push = await scenario.gitPush();
      expect(push.status).toBe(0);
      expect(push.ms).toBeLessThan(PUSH_BOUND_MS);
      expect(push.stderr).toMatch(/^residue: \.residue\/state\.json was damaged .*residue dismiss/);
      await scenario.expectCompleteAfterRetry();
      recordFigure({
        section: SECTION,
        what: `${damage} state.json`,
        result: `sessions salvaged from ${damage === "truncated" ? "the damaged file" : "the copy before the last write"}, commits rebuilt from git; complete, warned until dismissed`,
      });
    });

  it("truncated and corrupt journal", async () => {
    scenario = await PushScenario.create(2, 3);
    const { sb } = scenario;
    const journal = join(sb.repo, ".residue/journal");
    const lines = readFileSync(journal, "utf8").trim().split("\n");
    // Garbage between entries, and the last entry torn mid-SHA.
    writeFileSync(journal, `${lines[0]}\n\u0000\u0000garbage line\n${lines[1]}\n${(lines[2] as string).slice(0, 20)}`);
    const push = await scenario.gitPush();
    expect(push.status).toBe(0);
    expect(push.ms).toBeLessThan(PUSH_BOUND_MS);
    await scenario.expectCompleteAfterRetry();
    recordFigure({ section: SECTION, what: "truncated + corrupt journal", result: "torn entry rebuilt from git; complete" });
  });

  it("transcript deleted before the first push", async () => {
    scenario = await PushScenario.create(3, 2);
    const [lost, ...kept] = scenario.sessions as [{ id: string; path: string }, ...{ id: string; path: string }[]];
    rmSync(lost.path);
    const push = await scenario.gitPush();
    expect(push.status).toBe(0);
    expect(push.ms).toBeLessThan(PUSH_BOUND_MS);
    expect(push.stderr).toMatch(new RegExp(`^residue: session ${lost.id.slice(0, 8)} .* was never uploaded`));
    scenario.sessions.splice(0, 1);
    await scenario.expectCompleteAfterRetry(kept.map((s) => s.id));
    recordFigure({
      section: SECTION,
      what: "transcript deleted before first push",
      result: "other sessions' commits not held back; one warning line",
    });
  });

  it("transcript growing during push", async () => {
    scenario = await PushScenario.create(1, 1);
    scenario.grow(0, 20_000);
    // What this checks is the stored bytes agreeing with their metadata while the file grows, so the push gets
    // to finish: a loaded CI machine took the segments push of this 20,000-line session past the 3 s bound.
    scenario.sb.env.RESIDUE_HOOK_TIMEOUT = "30";
    let appended = 0;
    const writer = setInterval(() => {
      scenario?.grow(0);
      appended++;
    }, 2);
    const push = await scenario.gitPush();
    clearInterval(writer);
    expect(push.status, push.stderr).toBe(0);
    expect(push.ms).toBeLessThan(PUSH_BOUND_MS);
    const session = scenario.sessions[0] as { id: string };
    const mismatch = await storedMatchesMetadata(scenario.sb, session.id);
    expect(mismatch).toBeNull();
    await scenario.expectCompleteAfterRetry();
    recordFigure({
      section: SECTION,
      what: "transcript growing during push",
      result: `${appended} appends during the push; stored bytes match size and message count`,
    });
  });
});
