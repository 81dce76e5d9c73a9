// A Claude Code session with sub-agent files, through the compiled binary to the real backend: pushed, then
// grown (the main transcript, a running sub-agent, and new sub-agent files), committed and pushed again. The
// section log appends the new lines of each file, so the second push continues the stored generation and sends
// about the new bytes only, and the links of both commits point at the right stored lines (`residue show`, and
// the permalinks in Chromium).
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { mapSession } from "@residue/formats";
import type { Message } from "@residue/formats/model";
import { describe, expect, inject, it } from "vitest";
import { launch, signedInPage } from "../../e2e/support/browser.ts";
import { commitWidgets, pushJson, ROOT, Sandbox } from "./support/harness.ts";

type Layout = { manifest: { generation: number; pushes: number } | null };

/** The generated session (real Claude Code shapes) split as Claude Code writes it: the main file and one file per sub-agent. */
function generatedFiles(sb: Sandbox, turns: number) {
  const file = join(sb.dir, "gen.jsonl");
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, String(turns)]);
  const main: string[] = [];
  const subagents = new Map<string, string[]>();
  let current = main;
  for (const line of readFileSync(file, "utf8").split("\n").slice(0, -1)) {
    const value = JSON.parse(line) as { type: string; path: string };
    if (value.type !== "residue-file") current.push(`${line}\n`);
    else {
      current = [];
      subagents.set(value.path, current);
    }
  }
  rmSync(file);
  return { main, subagents };
}

const marker = (path: string) => `${JSON.stringify({ type: "residue-file", path })}\n`;
const half = (lines: string[]) => Math.ceil(lines.length / 2);

/** What a reader is shown of each message, children aside (lines differ between layouts). */
const said = (messages: Message[]) =>
  messages.map(
    (m) => `${m.role}: ${m.blocks.flatMap((b) => (b.kind === "text" ? [b.text] : b.kind === "tool_call" ? [b.name] : [])).join(" ")}`,
  );

describe("a Claude Code session with sub-agents, grown between pushes", { timeout: 240_000 }, () => {
  it("continues its generation, sends ≤ 1.2× the new lines deflated, and both commits' links point at the right messages", async () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    // 760 turns: one sub-agent (turn 700), 60 turns of work after it.
    const generated = generatedFiles(sb, 760);
    const { subagents } = generated;
    // Its last ~100 turns are enough (and keep `show --json` small): the first line kept is the tree's root.
    const main = generated.main.slice(generated.main.findIndex((l) => l.includes('"name":"Task"')) - 700);
    const [running, runningLines] = [...subagents][0] as [string, string[]];
    // A sub-agent file no Task call names (Claude Code's own fixture) appears with the growth: shown on its own.
    const fixture = "subagents/agent-a3f9c21.jsonl";
    const fixtureLines = readFileSync(
      join(ROOT, "e2e/fixtures/claude-code/projects/-home-dev-acme-widgets/b7e1a0c4-58d2-4f9b-a3c6-0e2d4f6a8b1c", fixture),
      "utf8",
    ).split(/(?<=\n)/);
    subagents.set(fixture, fixtureLines);
    const names = [...subagents.keys()].sort();
    // The first snapshot is taken while the sub-agent runs: the main transcript ends with its Task call.
    const cut = main.findIndex((l) => l.includes('"name":"Task"')) + 1;
    expect(cut).toBeGreaterThan(0);

    const project = join(sb.dir, "projects");
    const transcript = join(project, "5d2c9e1a-0b7f-4e21-9c3d-8a6f4b2e1d07.jsonl");
    const subDir = join(project, "5d2c9e1a-0b7f-4e21-9c3d-8a6f4b2e1d07");
    mkdirSync(join(subDir, "subagents"), { recursive: true });
    writeFileSync(transcript, "");
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();

    // Snapshot one: the main transcript up to the Task call, and the sub-agent it runs (half its file so far).
    const main1 = main.slice(0, cut);
    const run1 = runningLines.slice(0, half(runningLines));
    writeFileSync(transcript, main1.join(""));
    writeFileSync(join(subDir, running), run1.join(""));
    const first = commitWidgets(sb, "First half");
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, failed: [] });
    const stream1 = `${main1.join("")}${marker(running)}${run1.join("")}`;
    expect((await sb.rawSession(id)).toString("utf8")).toBe(stream1);

    // The session grows: the rest of the main transcript, the rest of the sub-agent's file, and a new sub-agent file.
    const main2 = main.slice(cut);
    const run2 = runningLines.slice(half(runningLines));
    appendFileSync(transcript, main2.join(""));
    appendFileSync(join(subDir, running), run2.join(""));
    writeFileSync(join(subDir, fixture), fixtureLines.join(""));
    const second = commitWidgets(sb, "Second half");
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, failed: [] });

    const added = `${marker("")}${main2.join("")}${names.map((n) => `${marker(n)}${(n === running ? run2 : (subagents.get(n) as string[])).join("")}`).join("")}`;
    const stream2 = stream1 + added;
    expect((await sb.rawSession(id)).toString("utf8")).toBe(stream2);
    const layout = (await sb.api(`/sessions/${id}/layout`)).body as Layout;
    expect([layout.manifest?.generation, layout.manifest?.pushes]).toEqual([1, 2]);
    const sent = JSON.parse(readFileSync(join(sb.repo, ".residue", "snapshots", `${id}.json`), "utf8")).segments.push.layout;
    const alone = deflateRawSync(Buffer.from(added)).length;
    expect(sent.chunk.bytes + sent.index.bytes).toBeLessThanOrEqual(1.2 * alone);

    // Each link names the stored line of the main transcript's last line at its commit (every line is stamped
    // before the commits; unstamped ones go with the stamped line before them): after growth, past the sub-agent's
    // section and the marker lines.
    const storedLines = stream2.split("\n");
    const lineOf = (text: string) => storedLines.indexOf(text.trimEnd()) + 1;
    const linkOf = async (sha: string) =>
      (await sb.api(`/repos/${sb.owner}/widgets/${sha}`)).body.commit.sessions.find((s: { id: string }) => s.id === id).position.line;
    expect(await linkOf(first)).toBe(lineOf(main1.at(-1) as string));
    expect(await linkOf(second)).toBe(lineOf(main.at(-1) as string));
    expect(lineOf(main.at(-1) as string)).toBeGreaterThan(main.length + run1.length);

    // `residue show` (the permalink's reader and positions) shows each commit's part of the conversation.
    const shown = (sha: string) => {
      // Into a file: a pipe the test reads while the binary exits may not be drained of megabytes of JSON.
      const out = join(sb.dir, `show-${sha}.json`);
      execFileSync("sh", ["-c", '"$0" show --json "$1" > "$2"', sb.command[0] as string, sha, out], { cwd: sb.repo, env: sb.env });
      return JSON.parse(readFileSync(out, "utf8")).conversations[0].messages as Message[];
    };
    const [atFirst, atSecond] = [shown(first), shown(second)];
    expect(said(atFirst)).toEqual(said(mapSession("claude-code", main1.join("")).messages));
    expect(said(atSecond)).toEqual(said(mapSession("claude-code", main.join("")).messages));
    // The sub-agent that ran across both pushes is attached to its Task call, with the messages of both sections.
    const id7 = running.replace(/^subagents\/agent-|\.jsonl$/g, "");
    const task = atSecond
      .flatMap((m) => m.blocks)
      .find((b) => b.kind === "tool_call" && b.name === "Task" && JSON.stringify(b.result?.detail ?? {}).includes(id7));
    // The permalinks, in Chromium: each commit's page ends with its part; the first shows nothing said after it.
    const textOf = (m: Message | undefined) =>
      (m?.blocks.find((b) => b.kind === "text") as { text: string } | undefined)?.text.trim().slice(0, 80);
    const lastText = (messages: Message[]) => textOf(messages.findLast((m) => m.blocks.some((b) => b.kind === "text")));
    const browser = await launch();
    try {
      const page = async (sha: string) => {
        const path = `/app/${sb.owner}/widgets/${sha}`;
        const opened = await signedInPage(browser, inject("baseUrl"), path, inject("adminUser"), inject("adminPassword"));
        return opened.locator(`section[id="s-${id}"]`).innerText();
      };
      const [page1, page2] = [await page(first), await page(second)];
      expect(page1).toContain(lastText(atFirst));
      const saidNext = textOf(atSecond.slice(atFirst.length).find((m) => m.blocks.some((b) => b.kind === "text")));
      expect(saidNext).toBeTruthy();
      expect(page1).not.toContain(saidNext);
      expect(page2).toContain(lastText(atSecond));
    } finally {
      await browser.close();
    }

    // Every line of its file (both sections) is one of its messages.
    const own = runningLines.map((l) => {
      const { type, message } = JSON.parse(l) as { type: string; message: { content: string | { text: string }[] } };
      return `${type}: ${typeof message.content === "string" ? message.content : message.content.map((p) => p.text).join(" ")}`;
    });
    expect(task?.kind === "tool_call" && said(task.children ?? [])).toEqual(own);
  });
});
