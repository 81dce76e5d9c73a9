// JSONL sessions go up in segments through the compiled binary, to the real backend: the first push, a
// growth push that sends little more than its new segments, growth kept after the agent deleted its
// transcript, a refused push (another one stored first) taken again at once as a new generation, the cap that never
// deletes what the server has not confirmed, and whole JSON documents still going up as one object.
import { execFileSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, Sandbox } from "./support/harness.ts";

type Layout = { layout: string; manifest: { generation: number; pushes: number; chunks: { bytes: number; first_line: number }[] } | null };

/** A generated Claude Code session (rewinds, compactions, a sub-agent file) cut after about `share` of its bytes. */
function generated(sb: Sandbox, turns: number) {
  const file = join(sb.dir, "gen.jsonl");
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), file, String(turns)]);
  const text = readFileSync(file, "utf8");
  rmSync(file);
  const cut = (share: number) => text.slice(0, text.lastIndexOf("\n", Math.floor(text.length * share)) + 1);
  return { text, cut };
}

function start(sb: Sandbox, path: string, agent = "claude-code") {
  const run = sb.residue(["session", "start", "--agent", agent, "--data", path]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trim();
}

function push(sb: Sandbox) {
  const run = sb.residue(["push", "--json"]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

const snapshots = (sb: Sandbox) => join(sb.repo, ".residue", "snapshots");
const meta = (sb: Sandbox, id: string) => JSON.parse(readFileSync(join(snapshots(sb), `${id}.json`), "utf8"));
const dataFiles = (sb: Sandbox, id: string) => readdirSync(snapshots(sb)).filter((n) => n.startsWith(`${id}.`) && /\.(gz|index)$/.test(n));

describe("a JSONL session in segments, through the binary", { timeout: 180_000 }, () => {
  it("first push, then growth: only the new segments go up (≤ 1.2× their bytes with the index), and the data is pruned once confirmed", async () => {
    const sb = new Sandbox();
    const { text, cut } = generated(sb, 400);
    const transcript = join(sb.dir, "session.jsonl");
    writeFileSync(transcript, cut(0.9));
    const id = start(sb, transcript);
    expect(push(sb)).toMatchObject({ uploaded: 1, failed: [] });
    const first = (await sb.api(`/sessions/${id}/layout`)).body as Layout;
    expect(first.layout).toBe("segments-v2");
    expect([first.manifest?.generation, first.manifest?.pushes]).toEqual([1, 1]);
    expect((await sb.rawSession(id)).toString("utf8")).toBe(cut(0.9));
    // The server holds it: the local copy is pruned, the state to continue from stays.
    expect(dataFiles(sb, id)).toEqual([]);
    expect(meta(sb, id).segments.push.confirmed).toBe(true);

    writeFileSync(transcript, text);
    expect(push(sb)).toMatchObject({ uploaded: 1, failed: [] });
    const grown = (await sb.api(`/sessions/${id}/layout`)).body as Layout;
    expect([grown.manifest?.generation, grown.manifest?.pushes]).toEqual([1, 2]);
    expect((await sb.rawSession(id)).toString("utf8")).toBe(text);
    const sent = meta(sb, id).segments.push.layout;
    expect(sent.chunk.first_line).toBe(cut(0.9).split("\n").length);
    expect(sent.chunk.bytes + sent.index.bytes).toBeLessThanOrEqual(1.2 * sent.chunk.bytes);
    expect(grown.manifest?.chunks.map((c) => c.bytes)).toEqual([first.manifest?.chunks[0]?.bytes, sent.chunk.bytes]);
    // Search found the grown part too.
    const word = text.slice(cut(0.9).length).match(/"content":"([a-z]{6,})/)?.[1] as string;
    const hits = (await sb.api(`/search?q=${word}`)).body;
    expect(JSON.stringify(hits)).toContain(id);
  });

  it("growth kept after the agent deleted its transcript still goes up from the snapshot", async () => {
    const sb = new Sandbox();
    const { text, cut } = generated(sb, 120);
    const transcript = join(sb.dir, "session.jsonl");
    writeFileSync(transcript, cut(0.5));
    const id = start(sb, transcript);
    push(sb);
    writeFileSync(transcript, text);
    // The session ends (a snapshot of the grown transcript is taken), then the agent deletes its file.
    expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);
    rmSync(transcript);
    expect(dataFiles(sb, id).length).toBeGreaterThan(0);
    expect(push(sb)).toMatchObject({ uploaded: 1, failed: [] });
    expect((await sb.rawSession(id)).toString("utf8")).toBe(text);
    const layout = (await sb.api(`/sessions/${id}/layout`)).body as Layout;
    expect(layout.manifest?.pushes).toBe(2);
  });

  it("a push refused as not following what the server holds is taken again at once as a new generation", async () => {
    const sb = new Sandbox();
    const { text, cut } = generated(sb, 100);
    const transcript = join(sb.dir, "session.jsonl");
    writeFileSync(transcript, cut(0.6));
    const id = start(sb, transcript);
    push(sb);
    // The local state is lost (another clone pushed, a wiped .residue): this push starts over at generation 1.
    rmSync(join(snapshots(sb), `${id}.json`));
    writeFileSync(transcript, text);
    expect(push(sb)).toMatchObject({ uploaded: 1, failed: [] });
    expect(readFileSync(join(sb.repo, ".residue/log"), "utf8")).toMatch(/does not follow .*taken again as a new generation/);
    const layout = (await sb.api(`/sessions/${id}/layout`)).body as Layout;
    expect([layout.manifest?.generation, layout.manifest?.pushes]).toEqual([2, 1]);
    expect((await sb.rawSession(id)).toString("utf8")).toBe(text);
  });

  it("over the cap, nothing unconfirmed is deleted; status and doctor name the session and what frees it", async () => {
    const sb = new Sandbox();
    const { text } = generated(sb, 60);
    const transcript = join(sb.dir, "session.jsonl");
    writeFileSync(transcript, text);
    const id = start(sb, transcript);
    expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);
    rmSync(transcript);
    const env = { RESIDUE_SNAPSHOT_CAP: "64K" };
    const status = sb.residue(["status"], { env });
    expect(status.stdout).toMatch(new RegExp(`over RESIDUE_SNAPSHOT_CAP \\(64 KiB\\): ${id.slice(0, 8)}`));
    expect(status.stdout).toContain("`residue push`");
    const doctor = sb.residue(["doctor"], { env });
    expect(doctor.stdout).toMatch(/✗ kept data .*over RESIDUE_SNAPSHOT_CAP/);
    expect(dataFiles(sb, id).length).toBeGreaterThan(0);
    expect(sb.residue(["status"], { env: { RESIDUE_SNAPSHOT_CAP: "lots" } }).stdout).toContain(
      "RESIDUE_SNAPSHOT_CAP is 'lots', not a size",
    );

    const pushed = sb.residue(["push", "--json"], { env });
    expect(pushed.status, pushed.stderr).toBe(0);
    expect((await sb.rawSession(id)).toString("utf8")).toBe(text);
    expect(sb.residue(["status"], { env }).stdout).not.toContain("over RESIDUE_SNAPSHOT_CAP");
  });

  it("a whole JSON document (Gemini .json) still goes up as one object", async () => {
    const sb = new Sandbox();
    const transcript = join(sb.dir, "session.json");
    copyFileSync(join(ROOT, "e2e/fixtures/gemini/versions/json-document-0.20.json"), transcript);
    const id = start(sb, transcript, "gemini");
    expect(push(sb)).toMatchObject({ uploaded: 1, failed: [] });
    const layout = (await sb.api(`/sessions/${id}/layout`)).body as Layout;
    expect([layout.layout, layout.manifest]).toEqual(["gzip-v1", null]);
    expect((await sb.rawSession(id)).equals(readFileSync(transcript))).toBe(true);
  });
});
