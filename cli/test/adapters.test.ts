import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BINARY, ROOT, Sandbox } from "./support/harness.ts";

const FIXTURES = join(ROOT, "e2e/fixtures");
const CLAUDE_PROJECT = join(FIXTURES, "claude-code/projects/-home-dev-acme-widgets");
const MAIN_SESSION = "b7e1a0c4-58d2-4f9b-a3c6-0e2d4f6a8b1c";

function payload(sb: Sandbox, event: string, sessionId: string, transcript: string, extra: Record<string, string> = {}) {
  return JSON.stringify({
    session_id: sessionId,
    transcript_path: transcript,
    cwd: sb.repo,
    hook_event_name: event,
    permission_mode: "default",
    ...extra,
  });
}

function hook(sb: Sandbox, input: string) {
  const run = sb.residue(["hook", "claude-code"], { input });
  expect(run.status).toBe(0);
  expect(run.stdout).toBe("");
  return run;
}

/** The command hooks use in an agent's JSON settings, one per hooked event. */
function hookCommands(sb: Sandbox, file: string): string[] {
  const settings = JSON.parse(readFileSync(join(sb.repo, file), "utf8")) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
  return Object.values(settings.hooks).flatMap((entries) => entries.flatMap((e) => e.hooks.map((h) => h.command)));
}

const portable = (agent: string) => `sh -c 'command -v residue >/dev/null 2>&1 || exit 0; exec residue hook ${agent}'`;

/** A file teams commit names nothing of this machine: no home, temp dir, checkout or binary path. */
function expectNoMachinePath(sb: Sandbox, text: string) {
  for (const path of ["/home", "/tmp", "/root", ROOT, sb.dir, BINARY]) expect(text).not.toContain(path);
}

const queued = (sb: Sandbox) =>
  JSON.parse(sb.residue(["status", "--json"]).stdout).sessions as { id: string; status: string; data_path: string }[];

describe("residue setup claude-code", () => {
  it("commits only a PATH command; this machine's path goes to the git-ignored local settings, idempotently", () => {
    const sb = new Sandbox();
    const run = sb.residue(["setup", "claude-code"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(".claude/settings.json: added SessionStart, SessionEnd hooks");
    expect(run.stdout).toContain("(to commit: not ignored by git; commit it so teammates get it)");
    expect(run.stdout).toContain("(local: now ignored through .git/info/exclude, this machine only)");
    const path = join(sb.repo, ".claude/settings.json");
    const first = readFileSync(path, "utf8");
    expectNoMachinePath(sb, first);
    const committed = hookCommands(sb, ".claude/settings.json");
    const local = hookCommands(sb, ".claude/settings.local.json");
    expect(committed).toEqual(["SessionStart", "SessionEnd"].map(() => portable("claude-code")));
    expect(local).toEqual(
      ["SessionStart", "SessionEnd"].map(
        () => `sh -c 'command -v residue >/dev/null 2>&1 && exit 0; exec "$0" "$@" hook claude-code' '${BINARY}'`,
      ),
    );
    expect(sb.git("check-ignore", ".claude/settings.local.json").trim()).toBe(".claude/settings.local.json");
    sb.git("add", ".claude/settings.json");
    const again = sb.residue(["setup", "claude-code"]).stdout;
    expect(again).toContain(".claude/settings.json: hooks already in place\n  (committed: git tracks it, so teammates get it)");
    expect(again).toContain(".claude/settings.local.json: hooks already in place\n  (local: git ignores it, this machine only)");
    expect(readFileSync(path, "utf8")).toBe(first);
    expect(readFileSync(join(sb.repo, ".git/info/exclude"), "utf8").match(/settings\.local\.json/g)).toHaveLength(1);
  });

  it("with residue on PATH, writes no local settings at all", () => {
    const sb = new Sandbox();
    sb.putResidueOnPath();
    expect(sb.residue(["setup", "claude-code"]).stdout).not.toContain("settings.local.json");
    expect(existsSync(join(sb.repo, ".claude/settings.local.json"))).toBe(false);
    expectNoMachinePath(sb, readFileSync(join(sb.repo, ".claude/settings.json"), "utf8"));
  });

  it("replaces the machine path an older setup committed", () => {
    const sb = new Sandbox();
    mkdirSync(join(sb.repo, ".claude"));
    const old = { type: "command", command: `'${BINARY}' hook claude-code`, timeout: 10 };
    writeFileSync(join(sb.repo, ".claude/settings.json"), JSON.stringify({ hooks: { SessionStart: [{ hooks: [old] }] } }));
    sb.residue(["setup", "claude-code"]);
    expectNoMachinePath(sb, readFileSync(join(sb.repo, ".claude/settings.json"), "utf8"));
    expect(hookCommands(sb, ".claude/settings.json")).toEqual([portable("claude-code"), portable("claude-code")]);
  });

  it("the committed hook is a silent no-op without residue on PATH; each machine's hook records exactly once", () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    sb.residue(["setup", "claude-code"]);
    const [committed] = hookCommands(sb, ".claude/settings.json");
    const [local] = hookCommands(sb, ".claude/settings.local.json");
    const transcript = join(sb.dir, "t.jsonl");
    const input = payload(sb, "SessionStart", "33333333-3333-4333-8333-333333333333", transcript, { source: "startup" });
    const fire = (command: string | undefined, env: Record<string, string>, stdin = input) => {
      const r = spawnSync("sh", ["-c", command as string], { cwd: sb.repo, env, input: stdin, encoding: "utf8" });
      expect(r).toMatchObject({ status: 0, stdout: "", stderr: "" });
    };
    // A teammate's machine: no residue on PATH (only the system's tools), and no local settings.
    fire(committed, { ...sb.env, PATH: "/usr/bin:/bin" });
    expect(queued(sb)).toEqual([]);
    // This machine before residue is on PATH: the local hook records, the committed one stays silent.
    fire(committed, sb.env);
    fire(local, sb.env);
    expect(queued(sb)).toHaveLength(1);
    // Once residue is on PATH the local hook steps aside and the committed one records.
    sb.putResidueOnPath();
    const next = payload(sb, "SessionStart", "44444444-4444-4444-8444-444444444444", join(sb.dir, "u.jsonl"), { source: "startup" });
    fire(local, sb.env, next);
    expect(queued(sb)).toHaveLength(1);
    fire(committed, sb.env, next);
    expect(queued(sb)).toHaveLength(2);
  });

  it("keeps every existing key and hook", () => {
    const sb = new Sandbox();
    mkdirSync(join(sb.repo, ".claude"));
    const existing = {
      permissions: { allow: ["Bash(npm test)"] },
      model: "opus",
      hooks: {
        SessionStart: [{ matcher: "startup", hooks: [{ type: "command", command: "echo hi" }] }],
        PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "./guard.sh" }] }],
      },
    };
    writeFileSync(join(sb.repo, ".claude/settings.json"), JSON.stringify(existing));
    expect(sb.residue(["setup", "claude-code"]).status).toBe(0);
    const merged = JSON.parse(readFileSync(join(sb.repo, ".claude/settings.json"), "utf8"));
    expect(merged.permissions).toEqual(existing.permissions);
    expect(merged.model).toBe("opus");
    expect(merged.hooks.PreToolUse).toEqual(existing.hooks.PreToolUse);
    expect(merged.hooks.SessionStart[0]).toEqual(existing.hooks.SessionStart[0]);
    expect(merged.hooks.SessionStart).toHaveLength(2);
  });

  it("refuses a settings file it cannot parse, leaving it untouched", () => {
    const sb = new Sandbox();
    mkdirSync(join(sb.repo, ".claude"));
    writeFileSync(join(sb.repo, ".claude/settings.json"), "{ // comment\n");
    const run = sb.residue(["setup", "claude-code"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/refusing to change .*settings\.json: cannot parse it as JSON/);
    expect(readFileSync(join(sb.repo, ".claude/settings.json"), "utf8")).toBe("{ // comment\n");
  });

  it("lists the agents it finds, and rejects unknown ones", () => {
    const sb = new Sandbox();
    mkdirSync(join(sb.repo, ".pi"));
    expect(sb.residue(["setup"]).stdout).toMatch(/pi .*\.pi\/ in this repo.*residue setup pi/);
    expect(sb.residue(["setup", "clippy"]).stderr).toContain("no adapter for 'clippy'");
  });
});

describe("residue hook claude-code", () => {
  it("never fails, never prints, and ignores what it cannot use", () => {
    const sb = new Sandbox();
    const outside = join(sb.dir, "not-a-repo");
    mkdirSync(outside);
    for (const input of [
      "",
      "{not json",
      "[]",
      JSON.stringify({ hook_event_name: "SessionStart" }),
      JSON.stringify({ session_id: "x", transcript_path: "/nope.jsonl", cwd: outside, hook_event_name: "SessionStart" }),
      JSON.stringify({ session_id: "x", transcript_path: "/nope.jsonl", cwd: "/does/not/exist", hook_event_name: "SessionStart" }),
      payload(sb, "UserPromptSubmit", "x", "/nope.jsonl"),
    ]) {
      hook(sb, input);
    }
    expect(queued(sb)).toEqual([]);
    expect(readFileSync(join(sb.home, ".residue/log"), "utf8")).toMatch(
      /stdin is not JSON[\s\S]*payload lacks[\s\S]*not in a git repository/,
    );
  });

  it("queues a session whose transcript does not exist yet, and drops it if it ends empty", () => {
    const sb = new Sandbox();
    const transcript = join(sb.dir, "later.jsonl");
    hook(sb, payload(sb, "SessionStart", "11111111-1111-4111-8111-111111111111", transcript, { source: "startup" }));
    expect(queued(sb)).toHaveLength(1);
    hook(sb, payload(sb, "SessionEnd", "11111111-1111-4111-8111-111111111111", transcript, { reason: "prompt_input_exit" }));
    expect(queued(sb)).toEqual([]);
  });

  it("keeps a resumed conversation one session and drops the empty startup prelude", () => {
    const sb = new Sandbox();
    const project = join(sb.dir, "projects");
    cpSync(CLAUDE_PROJECT, project, { recursive: true });
    const original = join(project, `${MAIN_SESSION}.jsonl`);
    hook(sb, payload(sb, "SessionStart", MAIN_SESSION, original, { source: "startup" }));
    hook(sb, payload(sb, "SessionEnd", MAIN_SESSION, original, { reason: "prompt_input_exit" }));
    // claude --resume: a startup with a fresh id and an empty transcript, then the resume with the original id.
    const fresh = "22222222-2222-4222-8222-222222222222";
    const prelude = join(project, `${fresh}.jsonl`);
    writeFileSync(prelude, `${JSON.stringify({ type: "queue-operation", operation: "dequeue", timestamp: new Date().toISOString() })}\n`);
    hook(sb, payload(sb, "SessionStart", fresh, prelude, { source: "startup" }));
    hook(sb, payload(sb, "SessionStart", MAIN_SESSION, original, { source: "resume" }));
    const sessions = queued(sb);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ status: "open", data_path: original });
    // Compaction continues the same session.
    hook(sb, payload(sb, "SessionStart", MAIN_SESSION, original, { source: "compact" }));
    expect(queued(sb)).toHaveLength(1);
    // /clear ends it and starts a new one.
    hook(sb, payload(sb, "SessionEnd", MAIN_SESSION, original, { reason: "clear" }));
    const cleared = join(project, "5f0c2b8e-3d4a-4c1e-9b7a-2e6f1d8c4a90.jsonl");
    hook(sb, payload(sb, "SessionStart", "5f0c2b8e-3d4a-4c1e-9b7a-2e6f1d8c4a90", cleared, { source: "clear" }));
    expect(
      queued(sb)
        .map((s) => s.status)
        .sort(),
    ).toEqual(["ended", "open"]);
  });

  it("end to end: settings hooks → commit → push links the session, sub-agent transcripts included", async () => {
    const sb = new Sandbox();
    sb.putResidueOnPath();
    sb.residue(["init"]);
    sb.residue(["setup", "claude-code"]);
    const settings = JSON.parse(readFileSync(join(sb.repo, ".claude/settings.json"), "utf8"));
    const command = settings.hooks.SessionStart[0].hooks[0].command as string;
    const project = join(sb.dir, "projects");
    cpSync(CLAUDE_PROJECT, project, { recursive: true });
    const transcript = join(project, `${MAIN_SESSION}.jsonl`);
    // Run the hook exactly as Claude Code does: the settings' command through a shell, the payload on stdin.
    const fire = (input: string) => {
      const r = spawnSync("sh", ["-c", command], { cwd: sb.repo, env: sb.env, input, encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe("");
    };
    fire(payload(sb, "SessionStart", MAIN_SESSION, transcript, { source: "startup" }));
    sb.edit("widgets.ts", "export const widget = 1;\n");
    sb.git("commit", "-qm", "Widget from Claude");
    fire(payload(sb, "SessionEnd", MAIN_SESSION, transcript, { reason: "prompt_input_exit" }));
    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Widget from Claude");
    expect(commit.sessions).toHaveLength(1);
    expect(commit.sessions[0]).toMatchObject({ agent: "claude-code", status: "ended" });
    const raw = (await sb.rawSession(commit.sessions[0].id)).toString();
    const main = readFileSync(transcript, "utf8");
    const sub = readFileSync(join(project, MAIN_SESSION, "subagents/agent-a3f9c21.jsonl"), "utf8");
    expect(raw).toBe(`${main}${main.endsWith("\n") ? "" : "\n"}{"type":"residue-file","path":"subagents/agent-a3f9c21.jsonl"}\n${sub}`);
  });
});

describe("residue setup pi", () => {
  it("writes the extension idempotently, and the extension drives the real binary", async () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const first = sb.residue(["setup", "pi"]);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("residue is not on PATH here, so the wiring does nothing on this machine until it is");
    expect(sb.residue(["setup", "pi"]).stdout).toContain("already in place");
    const extension = join(sb.repo, ".pi/extensions/residue.ts");
    expectNoMachinePath(sb, readFileSync(extension, "utf8"));
    // Load the extension in Node (as pi does) with a stand-in for pi's event API, then fire pi's lifecycle.
    const fixture = join(
      FIXTURES,
      "pi/sessions/--home-dev-acme-widgets--/2026-03-02T10-02-11-381Z_0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44.jsonl",
    );
    const sessionFile = join(sb.dir, "pi-session.jsonl");
    cpSync(fixture, sessionFile);
    const driver = join(sb.dir, "drive.mjs");
    writeFileSync(
      driver,
      `const ext = (await import(${JSON.stringify(extension)})).default;
const handlers = {};
ext({ on: (name, fn) => { (handlers[name] ??= []).push(fn); } });
const ctx = { cwd: ${JSON.stringify(sb.repo)}, sessionManager: { getSessionFile: () => ${JSON.stringify(sessionFile)}, getSessionId: () => "0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44" } };
for (const fn of handlers[process.argv[2]] ?? []) await fn({ reason: "startup" }, ctx);`,
    );
    const node = join(ROOT, "node_modules/.bin/node");
    // Without residue on PATH the extension does nothing, quietly.
    expect(execFileSync(node, [driver, "session_start"], { env: { ...sb.env, PATH: "/usr/bin:/bin" }, encoding: "utf8" })).toBe("");
    expect(queued(sb)).toEqual([]);
    sb.putResidueOnPath();
    execFileSync(node, [driver, "session_start"], { env: sb.env });
    expect(queued(sb)).toMatchObject([{ status: "open", data_path: sessionFile }]);
    // The file the conversation's edit tool calls changed: the evidence that links the commit to it.
    mkdirSync(join(sb.repo, "src"), { recursive: true });
    sb.edit("src/http.ts", "pi\n");
    sb.git("commit", "-qm", "Work with pi");
    execFileSync(node, [driver, "agent_end"], { env: sb.env });
    execFileSync(node, [driver, "session_shutdown"], { env: sb.env });
    expect(queued(sb)).toMatchObject([{ status: "ended" }]);
    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Work with pi");
    expect(commit.sessions).toMatchObject([{ id: "0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44", agent: "pi" }]);
  });
});

describe("residue setup opencode", () => {
  it("the plugin loads as OpenCode loads it, does nothing without residue on PATH, and registers the session with it", () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    expect(sb.residue(["setup", "opencode"]).status).toBe(0);
    const plugin = join(sb.repo, ".opencode/plugins/residue.js");
    expectNoMachinePath(sb, readFileSync(plugin, "utf8"));
    // A stand-in for OpenCode's SDK client, then one session.idle event, as OpenCode fires it.
    const driver = join(sb.dir, "drive-opencode.mjs");
    writeFileSync(
      driver,
      `const { Residue } = await import(${JSON.stringify(plugin)});
const client = { session: { get: async () => ({ data: { id: "ses_1", time: { created: 1 } } }), messages: async () => ({ data: [{ info: { role: "user", time: { created: 2 } }, parts: [{ type: "text", text: "hi" }] }] }) } };
const hooks = await Residue({ client, directory: ${JSON.stringify(sb.repo)} });
await hooks.event({ event: { type: "session.idle", properties: { sessionID: "ses_1" } } });`,
    );
    const node = join(ROOT, "node_modules/.bin/node");
    const exported = join(sb.home, ".local/share/residue/opencode/ses_1.jsonl");
    expect(execFileSync(node, [driver], { env: { ...sb.env, PATH: "/usr/bin:/bin" }, encoding: "utf8" })).toBe("");
    expect(existsSync(exported)).toBe(false);
    expect(queued(sb)).toEqual([]);
    sb.putResidueOnPath();
    execFileSync(node, [driver], { env: sb.env });
    expect(queued(sb)).toMatchObject([{ status: "open", data_path: exported }]);
  });
});

describe("residue setup codex / gemini and their hooks", () => {
  it.each([
    ["codex", ".codex/hooks.json", ["SessionStart", "Stop", "SessionEnd"], 10],
    ["gemini", ".gemini/settings.json", ["SessionStart", "AfterAgent", "SessionEnd"], 10_000],
  ] as const)("%s: writes %s idempotently, with the timeout in the agent's unit", (agent, file, events, timeout) => {
    const sb = new Sandbox();
    const run = sb.residue(["setup", agent]);
    expect(run.status).toBe(0);
    // These agents have no git-ignored settings of their own: this machine's path goes nowhere.
    expect(run.stdout).toContain("residue is not on PATH here, so the wiring does nothing on this machine until it is");
    const text = readFileSync(join(sb.repo, file), "utf8");
    expectNoMachinePath(sb, text);
    const settings = JSON.parse(text);
    expect(Object.keys(settings.hooks)).toEqual(events);
    for (const event of events) {
      expect(settings.hooks[event][0].hooks[0].command).toBe(portable(agent));
      expect(settings.hooks[event][0].hooks[0].timeout).toBe(timeout);
    }
    expect(sb.residue(["setup", agent]).stdout).toContain("already in place");
  });

  it("codex end to end: SessionStart, Stop per turn and a rollout → commit → push", async () => {
    const sb = new Sandbox();
    sb.putResidueOnPath();
    sb.residue(["init"]);
    sb.residue(["setup", "codex"]);
    const settings = JSON.parse(readFileSync(join(sb.repo, ".codex/hooks.json"), "utf8"));
    const command = settings.hooks.Stop[0].hooks[0].command as string;
    const rollout = join(sb.dir, "rollout-2026-11-22T10-00-00-6a1f0c9e-2b7d-4c8e-9f10-3a4b5c6d7e8f.jsonl");
    cpSync(join(FIXTURES, "codex/rollout-2026-11-22T10-00-00-6a1f0c9e-2b7d-4c8e-9f10-3a4b5c6d7e8f.jsonl"), rollout);
    const fire = (event: string, extra: Record<string, unknown> = {}) => {
      const input = JSON.stringify({
        session_id: "6a1f0c9e-2b7d-4c8e-9f10-3a4b5c6d7e8f",
        transcript_path: rollout,
        cwd: sb.repo,
        hook_event_name: event,
        model: "gpt-5",
        ...extra,
      });
      const r = spawnSync("sh", ["-c", command], { cwd: sb.repo, env: sb.env, input, encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe("");
    };
    fire("SessionStart", { source: "startup", transcript_path: null });
    expect(queued(sb)).toEqual([]);
    fire("SessionStart", { source: "startup" });
    fire("Stop", { stop_hook_active: false });
    expect(queued(sb)).toMatchObject([{ status: "open", data_path: rollout }]);
    // The file the rollout's apply_patch changed: the evidence that links the commit to it.
    mkdirSync(join(sb.repo, "test"), { recursive: true });
    sb.edit("test/date.test.ts", "codex\n");
    sb.git("commit", "-qm", "Work with codex");
    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Work with codex");
    expect(commit.sessions).toMatchObject([{ id: "6a1f0c9e-2b7d-4c8e-9f10-3a4b5c6d7e8f", agent: "codex", status: "open" }]);
  });

  it("ends sessions left open by an agent that was killed, once they are idle", () => {
    const sb = new Sandbox();
    const p = join(sb.dir, "killed.jsonl");
    writeFileSync(p, '{"type":"user","timestamp":"2026-11-20T10:00:00Z"}\n');
    sb.residue(["session", "start", "--agent", "gemini", "--data", p]);
    const push = sb.residue(["push"], { env: { RESIDUE_IDLE_HOURS: "0.000001" } });
    expect(push.stderr).toBe("");
    expect(queued(sb)).toEqual([]);
  });
});
