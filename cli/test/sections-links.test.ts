// Where a commit's link lands in a Claude Code session stored as a section log, through the compiled binary to
// the real backend, in the cases the stored lines and the main transcript's lines part ways: the transcript
// deleted before the push (the link read from the kept snapshot), a push whose snapshot fails (the link posted
// with the kept log), and a sub-agent file rewritten after the link was posted (the session laid out anew: the
// link posted again). Each time the link names the stored line of the main transcript's last line at the commit.
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitWidgets, pushJson, Sandbox, seconds, stamp, transcriptLines } from "./support/harness.ts";

const SESSION = "7c1e4b2a-9d3f-4a6e-8b5c-1f2e3d4c5b6a";
const AGENT = "subagents/agent-b41c7e2.jsonl";

/** A session of a main transcript (10 lines, then 5 more to come) and one sub-agent file (5 lines), stamped in the past. */
function setUp() {
  const sb = new Sandbox();
  sb.residue(["init"]);
  const t = seconds(stamp(), -300);
  const main1 = transcriptLines(Array.from({ length: 10 }, (_, i) => seconds(t, i)));
  const agent = transcriptLines(
    Array.from({ length: 5 }, (_, i) => seconds(t, 20 + i)),
    100,
  );
  const main2 = transcriptLines(
    Array.from({ length: 5 }, (_, i) => seconds(t, 40 + i)),
    10,
  );
  const project = join(sb.dir, "projects");
  const transcript = join(project, `${SESSION}.jsonl`);
  const agentFile = join(project, SESSION, AGENT);
  mkdirSync(join(project, SESSION, "subagents"), { recursive: true });
  writeFileSync(transcript, "");
  const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
  writeFileSync(transcript, main1);
  writeFileSync(agentFile, agent);
  return { sb, id, transcript, agentFile, project, main1, agent, main2 };
}

const marker = (path: string) => `${JSON.stringify({ type: "residue-file", path })}\n`;
const lastLine = (text: string) => text.trimEnd().split("\n").at(-1) as string;

async function linkLine(sb: Sandbox, sha: string, id: string): Promise<number> {
  const { body } = await sb.api(`/repos/${sb.owner}/widgets/${sha}`);
  return body.commit.sessions.find((s: { id: string }) => s.id === id).position.line;
}

/** The stored stream's line `line` (1-based). */
async function storedLine(sb: Sandbox, id: string, line: number) {
  return (await sb.rawSession(id)).toString("utf8").split("\n")[line - 1];
}

describe("a commit's link into a Claude Code session stored as a section log", { timeout: 240_000 }, () => {
  it("read from the kept snapshot once the transcript is deleted, names the stored line once, not translated twice", async () => {
    const { sb, id, transcript, project, main1, agent, main2 } = setUp();
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, failed: [] });
    appendFileSync(transcript, main2);
    const sha = commitWidgets(sb, "Parse widgets");
    // The session ends (its snapshot is kept: main, sub-agent, main again), then the agent deletes its files.
    expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);
    rmSync(project, { recursive: true });
    expect(pushJson(sb)).toMatchObject({ failed: [] });
    const stream = `${main1}${marker(AGENT)}${agent}${marker("")}${main2}`;
    expect((await sb.rawSession(id)).toString("utf8")).toBe(stream);
    // 10 + marker + 5 + marker + 5: the main transcript's 15th line is the stream's 22nd (and last).
    expect(await linkLine(sb, sha, id)).toBe(22);
    expect(await storedLine(sb, id, 22)).toBe(lastLine(main2));
  });

  it("posted while the session's snapshot fails, is translated with the kept log", async () => {
    const { sb, id, transcript, main2 } = setUp();
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, failed: [] });
    appendFileSync(transcript, main2);
    const sha = commitWidgets(sb, "Parse widgets");
    // Rules residue cannot read hold back every snapshot; the links of sessions the server holds still go up.
    writeFileSync(join(sb.repo, ".residue.json"), "{ not json");
    const failing = JSON.parse(sb.residue(["push", "--json"]).stdout);
    expect(failing).toMatchObject({ commits: 1, failed: [{ id }] });
    expect(await linkLine(sb, sha, id)).toBe(22);
    rmSync(join(sb.repo, ".residue.json"));
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, failed: [] });
    expect(await storedLine(sb, id, 22)).toBe(lastLine(main2));
  });

  it("posted before a sub-agent file is rewritten, is posted again with the new layout's line", async () => {
    const { sb, id, transcript, agentFile, main1, main2 } = setUp();
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, failed: [] });
    appendFileSync(transcript, main2);
    const sha = commitWidgets(sb, "Parse widgets");
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, commits: 1, failed: [] });
    expect(await linkLine(sb, sha, id)).toBe(22);
    // Rewritten: the session is laid out anew (main file, then the sub-agent), the main's 15th line now the 15th.
    const rewritten = transcriptLines([seconds(stamp(), -10), seconds(stamp(), -9)], 200);
    writeFileSync(agentFile, rewritten);
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, failed: [] });
    expect((await sb.rawSession(id)).toString("utf8")).toBe(`${main1}${main2}${marker(AGENT)}${rewritten}`);
    expect(await linkLine(sb, sha, id)).toBe(15);
    // Posted again once: a later push leaves it as it is.
    appendFileSync(transcript, transcriptLines([seconds(stamp(), -1)], 20));
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, commits: 0, failed: [] });
    expect(await linkLine(sb, sha, id)).toBe(15);
  });

  it("with a kept log that does not read as one, lays the session out anew instead of failing the push", async () => {
    const { sb, id, transcript, main1, agent, main2 } = setUp();
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, failed: [] });
    const metaPath = join(sb.repo, ".residue", "snapshots", `${id}.json`);
    writeFileSync(metaPath, JSON.stringify({ ...JSON.parse(readFileSync(metaPath, "utf8")), sections: { sections: {} } }));
    appendFileSync(transcript, main2);
    const sha = commitWidgets(sb, "Parse widgets");
    expect(pushJson(sb)).toMatchObject({ uploaded: 1, commits: 1, failed: [] });
    expect((await sb.rawSession(id)).toString("utf8")).toBe(`${main1}${main2}${marker(AGENT)}${agent}`);
    expect(await linkLine(sb, sha, id)).toBe(15);
    expect(readFileSync(join(sb.repo, ".residue", "log"), "utf8")).toContain("its kept section log does not read as one");
  });
});
