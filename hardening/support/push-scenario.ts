// A repo with queued sessions and commits, pushing through the fault proxy, and the check that after the
// fault clears the backend holds every session and commit exactly once.
import { spawn } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, inject } from "vitest";
import { editLine, Sandbox, seconds, transcriptLines } from "../../cli/test/support/harness.ts";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";

export const HOOK_TIMEOUT_S = 3;
/** The bound: git push returns within the hook's limit; slack for git and process start. */
export const PUSH_BOUND_MS = (HOOK_TIMEOUT_S + 5) * 1000;

export interface Timed {
  status: number;
  ms: number;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  input?: string;
  limitMs?: number;
}

/** Runs a process to its end (killed after `limitMs`), timing it. */
export function timed(cmd: string, args: string[], opts: RunOptions): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(opts.input ?? "");
    const killer = setTimeout(() => child.kill("SIGKILL"), opts.limitMs ?? 60_000);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ status: code ?? -1, ms: performance.now() - started, stderr });
    });
  });
}

export class PushScenario {
  readonly sessions: { id: string; path: string }[] = [];
  readonly shas: string[] = [];
  // The scenario's clock runs in the past: commits and lines are stamped before the sessions end (now).
  private t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  private clock = 0;

  private constructor(
    readonly sb: Sandbox,
    readonly proxy: FaultProxy,
  ) {}

  static async create(sessions = 2, commits = 2): Promise<PushScenario> {
    const proxy = await startFaultProxy(inject("baseUrl"));
    const sb = new Sandbox(proxy.url);
    sb.env.RESIDUE_HOOK_TIMEOUT = String(HOOK_TIMEOUT_S);
    expect(sb.residue(["init"]).status).toBe(0);
    const scenario = new PushScenario(sb, proxy);
    for (let i = 0; i < sessions; i++) scenario.startSession();
    for (let i = 0; i < commits; i++) scenario.commit();
    return scenario;
  }

  private tick() {
    this.clock += 2;
    return seconds(this.t0, this.clock);
  }

  startSession() {
    const path = join(this.sb.dir, `s${this.sessions.length}.jsonl`);
    writeFileSync(path, transcriptLines([this.tick(), this.tick()]));
    const run = this.sb.residue(["session", "start", "--agent", "claude-code", "--data", path]);
    expect(run.status, run.stderr).toBe(0);
    this.sessions.push({ id: run.stdout.trim(), path });
  }

  /** The agent appends `lines` messages to session `index`'s transcript. */
  grow(index: number, lines = 1) {
    const s = this.sessions[index] as { path: string };
    const at = this.tick();
    appendFileSync(
      s.path,
      transcriptLines(
        Array.from({ length: lines }, () => at),
        2,
      ),
    );
  }

  /** Every session's agent edits the file first: the evidence that links each commit to each session. */
  commit() {
    const n = this.shas.length;
    const at = this.tick();
    for (const s of this.sessions) appendFileSync(s.path, editLine(join(this.sb.repo, `f${n}.ts`), at));
    this.sb.edit(`f${n}.ts`, `export const v${n} = ${n};\n`);
    this.sb.gitAt(this.tick(), "commit", "-qm", `change ${n}`);
    this.shas.push(this.sb.git("rev-parse", "HEAD").trim());
  }

  gitPush(): Promise<Timed> {
    return timed("git", ["push", "-q", "origin", "main"], { cwd: this.sb.repo, env: this.sb.env });
  }

  /** After the fault: one more commit and push, then every session and commit is on the backend exactly once. */
  async expectCompleteAfterRetry(expectedSessions = this.sessions.map((s) => s.id)) {
    this.proxy.setRule(() => "pass");
    // Committed before the sessions end: a session is never linked to a commit made after it ended.
    this.commit();
    for (const s of this.sessions) this.sb.residue(["session", "end", "--id", s.id]);
    // The fault is gone: this push is about completeness, so a loaded machine gets all the time it needs.
    const push = await timed("git", ["push", "-q", "origin", "main"], {
      cwd: this.sb.repo,
      env: { ...this.sb.env, RESIDUE_HOOK_TIMEOUT: "90" },
    });
    expect(push.status, push.stderr).toBe(0);
    // Warnings the user has not dismissed may repeat; failures may not.
    expect(push.stderr).not.toMatch(/not uploaded|did not finish|skipped/);
    await expectBackendHolds(this.sb, this.shas, expectedSessions);
  }

  async close() {
    await this.proxy.close();
  }
}

/** The backend's view of the repo: each commit once, each session once, every commit linked. */
export async function expectBackendHolds(sb: Sandbox, shas: string[], sessionIds: string[]) {
  const page = await sb.api(`/repos/${sb.owner}/widgets?limit=100`);
  expect(page.status).toBe(200);
  const commits = page.body.commits as { sha: string; sessions: { id: string }[] }[];
  expect(commits.map((c) => c.sha).sort()).toEqual([...shas].sort());
  expect(commits.every((c) => c.sessions.length > 0)).toBe(true);
  const linked = new Set(commits.flatMap((c) => c.sessions.map((s) => s.id)));
  expect([...linked].sort()).toEqual([...sessionIds].sort());
  expect(page.body.repo.session_count).toBe(sessionIds.length);
  for (const id of sessionIds) await sb.rawSession(id);
}

/** Null when the stored bytes are what the metadata says (size, message count); else what differs. */
export async function storedMatchesMetadata(sb: Sandbox, sessionId: string): Promise<string | null> {
  const page = await sb.api(`/repos/${sb.owner}/widgets?limit=100`);
  const meta = (page.body.commits as { sessions: { id: string; byte_size: number; message_count: number }[] }[])
    .flatMap((c) => c.sessions)
    .find((s) => s.id === sessionId);
  const raw = await sb.rawSession(sessionId);
  const lines = raw
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim()).length;
  if (!meta) return "no metadata";
  if (meta.byte_size !== raw.length || meta.message_count !== lines)
    return `metadata ${meta.byte_size} B / ${meta.message_count} msgs, stored ${raw.length} B / ${lines} msgs`;
  return null;
}
