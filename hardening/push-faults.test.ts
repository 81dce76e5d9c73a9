// Faults during push: whatever the network or the backend does, `git push` exits 0 within the hook's bound,
// and once the fault clears, the next push leaves every session and commit on the backend exactly once.
import { afterEach, describe, expect, it } from "vitest";
import { type Fault, route } from "./support/fault-proxy.ts";
import { recordFigure } from "./support/figures.ts";
import { HOOK_TIMEOUT_S, PUSH_BOUND_MS, PushScenario } from "./support/push-scenario.ts";

const SECTION = "Faults during push";
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

describe("faults during push", () => {
  it("backend down", async () => {
    scenario = await PushScenario.create();
    const up = scenario.sb.env.RESIDUE_URL as string;
    scenario.sb.env.RESIDUE_URL = "http://127.0.0.1:9"; // nothing listens on the discard port
    const push = await scenario.gitPush();
    expect(push.status).toBe(0);
    expect(push.ms).toBeLessThan(PUSH_BOUND_MS);
    expect(push.stderr).toMatch(/^residue: .*stay queued/);
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
