// Puts realistic conversations on the backend the way a user would: real git repos, the compiled CLI,
// commits whose times fall inside each transcript so each commit marks a part of its conversation.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { AGENT_SPECS } from "@residue/cli/agents";
import { editedFiles } from "@residue/cli/agents/edits";
import { lineTimestamp } from "@residue/cli/transcript/scan";
import { type Agent, mapSession } from "@residue/formats";
import { ROOT, Sandbox } from "../../cli/test/support/harness.ts";

export const FIXTURES = join(ROOT, "e2e/fixtures");

export interface SeededSession {
  agent: string;
  id: string;
  shas: string[];
}

export interface Seeded {
  owner: string;
  repo: string;
  sessions: Record<string, SeededSession>;
}

function stamps(path: string): number[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map(lineTimestamp)
    .filter((t): t is number => t !== null);
}

/**
 * The repo-relative files the conversation's tool calls edited (absolute paths name the machine it was
 * recorded on). Each seeded commit changes them too: a session that edited files is linked only to commits
 * that change one of them.
 */
function editedInRepo(agent: Agent, path: string): string[] {
  const spec = AGENT_SPECS[agent];
  const calls = mapSession(agent, readFileSync(path, "utf8")).messages.flatMap((m) =>
    m.blocks.flatMap((b) => (b.kind === "tool_call" ? [b] : [])),
  );
  const files = calls.flatMap((call) => editedFiles(spec.edits, call, spec.format.filesTouched));
  return [...new Set(files.filter((f) => !isAbsolute(f) && !f.startsWith("..")))];
}

/** Registers a transcript, commits at the given fractions of its timeline, ends it. */
export function sessionWithCommits(sb: Sandbox, agent: string, path: string, name: string, fractions: number[]): SeededSession {
  const start = sb.residue(["session", "start", "--agent", agent, "--data", path]);
  if (start.status !== 0) throw new Error(start.stderr);
  const id = start.stdout.trim();
  const times = stamps(path).sort((a, b) => a - b);
  const edited = editedInRepo(agent as Agent, path);
  const shas: string[] = [];
  fractions.forEach((f, i) => {
    const at = times[Math.min(times.length - 1, Math.floor(f * (times.length - 1)))] as number;
    for (const file of [...edited, `${name}.txt`]) {
      mkdirSync(dirname(join(sb.repo, file)), { recursive: true });
      sb.edit(file, `${name} ${i}\n`);
    }
    sb.gitAt(new Date(at + 1000), "commit", "-qm", `${name}: step ${i + 1}\n\nMade with ${agent}.`);
    shas.push(sb.git("rev-parse", "HEAD").trim());
  });
  sb.residue(["session", "end", "--id", id]);
  // Pushed one at a time, so each commit links only the conversation it came from.
  const push = sb.residue(["push"]);
  if (push.status !== 0) throw new Error(`push failed: ${push.stderr}`);
  return { agent, id, shas };
}

/** Gemini CLI's chat JSONL as 0.61 writes it: header, `$set`, records re-appended as they complete. */
export function geminiTranscript(): string {
  const t = (s: number) => new Date(Date.parse("2026-11-20T09:00:00Z") + s * 1000).toISOString();
  return `${[
    { sessionId: "g1", projectHash: "p", startTime: t(0), lastUpdated: t(0), kind: "main" },
    { id: "u1", timestamp: t(1), type: "user", content: [{ text: "Why is the sitemap missing new pages?" }] },
    {
      id: "g1",
      timestamp: t(2),
      type: "gemini",
      content: "",
      thoughts: [{ subject: "Checking", description: "the sitemap generator" }],
      model: "gemini-2.5-pro",
    },
    {
      id: "g1",
      timestamp: t(3),
      type: "gemini",
      content: "Let me look at the generator.",
      model: "gemini-2.5-pro",
      toolCalls: [
        {
          id: "c1",
          name: "read_file",
          displayName: "ReadFile",
          args: { absolute_path: "/w/src/sitemap.ts" },
          status: "success",
          result: [{ functionResponse: { response: { output: "export const pages = [];" } } }],
        },
      ],
      tokens: { input: 100, output: 20, cached: 0 },
    },
    { $set: { lastUpdated: t(3) } },
    {
      id: "g2",
      timestamp: t(4),
      type: "gemini",
      content: "The page list is hard-coded; I made it read the routes.",
      model: "gemini-2.5-pro",
    },
  ]
    .map((l) => JSON.stringify(l))
    .join("\n")}\n`;
}

/** What the residue OpenCode plugin writes: a session line, then one message a line. */
export function opencodeTranscript(): string {
  const at = (s: number) => Date.parse("2026-11-21T09:00:00Z") + s * 1000;
  return `${[
    { type: "session", timestamp: new Date(at(0)).toISOString(), info: { id: "ses_1", title: "Cache warmup" } },
    {
      type: "message",
      timestamp: new Date(at(1)).toISOString(),
      info: { id: "m1", role: "user", time: { created: at(1) } },
      parts: [{ type: "text", text: "Warm the cache on boot" }],
    },
    {
      type: "message",
      timestamp: new Date(at(2)).toISOString(),
      info: {
        id: "m2",
        role: "assistant",
        modelID: "claude-sonnet-4-5",
        time: { created: at(2) },
        tokens: { input: 10, output: 5, cache: { read: 0, write: 0 } },
      },
      parts: [
        { type: "reasoning", text: "Find the boot hook" },
        {
          type: "tool",
          tool: "bash",
          callID: "c1",
          state: { status: "completed", input: { command: "grep -rn boot src" }, output: "src/boot.ts:1" },
        },
        { type: "text", text: "Added a warmup call to src/boot.ts." },
      ],
    },
  ]
    .map((l) => JSON.stringify(l))
    .join("\n")}\n`;
}

export function xssTranscript(): string {
  const payloads = [
    '<script>window.__xss = 1; alert("xss")</script>',
    '<img src=x onerror="window.__xss=2;alert(2)">',
    "[click me](javascript:window.__xss=3)",
    '<svg onload="window.__xss=4"></svg>',
    '"><iframe src="javascript:window.__xss=5"></iframe>',
    "![x](javascript:window.__xss=6)",
    '<a href="javascript:window.__xss=7">link</a>',
    "```\n</code></pre><script>window.__xss=8</script>\n```",
  ];
  const t = Date.parse("2026-11-01T10:00:00Z");
  const lines: unknown[] = [];
  payloads.forEach((p, i) => {
    lines.push({
      type: "user",
      uuid: `u${i}`,
      parentUuid: i ? `r${i - 1}` : null,
      timestamp: new Date(t + i * 2000).toISOString(),
      message: { role: "user", content: `XSS ${i}: ${p}` },
    });
    lines.push({
      type: "assistant",
      uuid: `a${i}`,
      parentUuid: `u${i}`,
      timestamp: new Date(t + i * 2000 + 1000).toISOString(),
      message: {
        id: `msg_${i}`,
        role: "assistant",
        model: `<img src=x onerror=window.__xss=9>`,
        content: [
          { type: "text", text: `Echo: ${p}` },
          { type: "tool_use", id: `t${i}`, name: `Bash<script>window.__xss=10</script>`, input: { command: p } },
        ],
      },
    });
    lines.push({
      type: "user",
      uuid: `r${i}`,
      parentUuid: `a${i}`,
      timestamp: new Date(t + i * 2000 + 1500).toISOString(),
      message: { role: "user", content: [{ type: "tool_result", tool_use_id: `t${i}`, content: p, is_error: i % 2 === 0 }] },
    });
  });
  lines.push({
    type: "<script>window.__xss=11</script>",
    uuid: "weird",
    timestamp: new Date(t + 60000).toISOString(),
    payload: payloads[0],
  });
  lines.push({
    type: "user",
    uuid: "img",
    parentUuid: "r7",
    timestamp: new Date(t + 61000).toISOString(),
    message: {
      role: "user",
      content: [{ type: "image", source: { type: "base64", media_type: "text/html", data: btoa("<script>window.__xss=12</script>") } }],
    },
  });
  return `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
}

/** A long Claude Code conversation: `turns` user/assistant/tool exchanges with sizeable outputs. */
export function longTranscript(turns: number, start = Date.parse("2026-10-01T08:00:00Z")): string {
  const out: string[] = [];
  let parent: string | null = null;
  for (let i = 0; i < turns; i++) {
    const at = (k: number) => new Date(start + i * 60_000 + k * 1000).toISOString();
    const u = `u-${i}`;
    const a = `a-${i}`;
    const r = `r-${i}`;
    out.push(
      JSON.stringify({
        type: "user",
        uuid: u,
        parentUuid: parent,
        timestamp: at(0),
        message: { role: "user", content: `Step ${i}: adjust module ${i % 37}` },
      }),
    );
    out.push(
      JSON.stringify({
        type: "assistant",
        uuid: a,
        parentUuid: u,
        timestamp: at(1),
        message: {
          id: `msg-${i}`,
          role: "assistant",
          model: "claude-sonnet-4-5",
          content: [
            { type: "text", text: `Looking at module ${i % 37}.` },
            { type: "tool_use", id: `tool-${i}`, name: "Bash", input: { command: `grep -rn step${i} src/` } },
          ],
          usage: { input_tokens: 10, output_tokens: 20 },
        },
      }),
    );
    out.push(
      JSON.stringify({
        type: "user",
        uuid: r,
        parentUuid: a,
        timestamp: at(2),
        message: {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: `tool-${i}`, content: `src/m${i}.ts:1: ${"x".repeat(6000)}` }],
        },
      }),
    );
    parent = r;
  }
  return `${out.join("\n")}\n`;
}

export function seed(serverUrl: string, token: string, opts: { long?: number } = {}): Seeded {
  const sb = new Sandbox(serverUrl, token);
  sb.residue(["init"]);
  const sessions: Record<string, SeededSession> = {};

  const project = join(sb.dir, "claude-projects");
  cpSync(join(FIXTURES, "claude-code/projects/-home-dev-acme-widgets"), project, { recursive: true });
  sessions.claudeBackoff = sessionWithCommits(
    sb,
    "claude-code",
    join(project, "5f0c2b8e-3d4a-4c1e-9b7a-2e6f1d8c4a90.jsonl"),
    "backoff",
    [0.4, 1],
  );
  sessions.claudeTiles = sessionWithCommits(sb, "claude-code", join(project, "b7e1a0c4-58d2-4f9b-a3c6-0e2d4f6a8b1c.jsonl"), "tiles", [1]);

  const piDir = join(sb.dir, "pi");
  cpSync(join(FIXTURES, "pi/sessions/--home-dev-acme-widgets--"), piDir, { recursive: true });
  sessions.piRename = sessionWithCommits(
    sb,
    "pi",
    join(piDir, "2026-03-02T10-02-11-381Z_0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44.jsonl"),
    "rename",
    [1],
  );
  sessions.piRetry = sessionWithCommits(
    sb,
    "pi",
    join(piDir, "2026-03-04T16-20-00-000Z_7e3b9d51-0a2c-4f6e-b8d4-19c7a5e3f2b0.jsonl"),
    "retry",
    [1],
  );

  const codex = join(sb.dir, "rollout-2026-11-22T10-00-00-6a1f0c9e-2b7d-4c8e-9f10-3a4b5c6d7e8f.jsonl");
  cpSync(join(FIXTURES, "codex/rollout-2026-11-22T10-00-00-6a1f0c9e-2b7d-4c8e-9f10-3a4b5c6d7e8f.jsonl"), codex);
  sessions.codex = sessionWithCommits(sb, "codex", codex, "timezone", [1]);

  const gemini = join(sb.dir, "session-2026-11-20T09-00-gemini.jsonl");
  writeFileSync(gemini, geminiTranscript());
  sessions.gemini = sessionWithCommits(sb, "gemini", gemini, "gemini", [1]);

  const opencode = join(sb.dir, "ses_opencode.jsonl");
  writeFileSync(opencode, opencodeTranscript());
  sessions.opencode = sessionWithCommits(sb, "opencode", opencode, "opencode", [1]);

  const xss = join(sb.dir, "xss.jsonl");
  writeFileSync(xss, xssTranscript());
  sessions.xss = sessionWithCommits(sb, "claude-code", xss, "hostile", [1]);

  if (opts.long) {
    const long = join(sb.dir, "long.jsonl");
    writeFileSync(long, longTranscript(opts.long));
    sessions.long = sessionWithCommits(
      sb,
      "claude-code",
      long,
      "long",
      Array.from({ length: 20 }, (_, i) => (i + 1) / 20),
    );
  }

  const explore = join(sb.dir, "explore.jsonl");
  mkdirSync(sb.dir, { recursive: true });
  writeFileSync(
    explore,
    `${JSON.stringify({ type: "user", uuid: "e1", timestamp: new Date().toISOString(), message: { role: "user", content: "Just exploring the codebase" } })}\n`,
  );
  const exploreId = sb.residue(["session", "start", "--agent", "claude-code", "--data", explore]).stdout.trim();
  sb.residue(["session", "end", "--id", exploreId]);
  sessions.explore = { agent: "claude-code", id: exploreId, shas: [] };

  const push = sb.residue(["push"]);
  if (push.status !== 0) throw new Error(`push failed: ${push.stderr}`);
  return { owner: sb.owner, repo: "widgets", sessions };
}
