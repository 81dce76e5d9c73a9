// Snapshots of JSONL transcripts are cut in segments with the push the server lacks, pruned once the server
// confirms holding it, and never pruned before: checked on real files with the real redaction, no server
// needed (the push end to end is in segments-push.test.ts).
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { formatOf } from "@residue/formats";
import { afterAll, describe, expect, it } from "vitest";
import { loadControl } from "../src/config/control.ts";
import { confirmSnapshot, readSnapshot, refuseSnapshot, type Snapshot, takeSnapshot } from "../src/queue/snapshot.ts";
import { formatBytes, keptData, overCap, snapshotCap } from "../src/queue/snapshot-cap.ts";
import { seconds, stamp, transcriptLines } from "./support/harness.ts";

const dir = mkdtempSync(join(tmpdir(), "residue-snapshots-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = join(dir, "home");
mkdirSync(home);
const control = loadControl(home, dir);
const ID = "6f1c2a7e-0d4b-4e8a-9c1f-2b3d4e5f6a70";
const t0 = stamp();
const times = (from: number, n: number) => Array.from({ length: n }, (_, i) => seconds(t0, from + i));
// Each line has its own uuid: the transcript's parts are made once.
const messages = (text: string) => formatOf("claude-code")?.map(text).messages.length ?? 0;
const first = transcriptLines(times(0, 200));
const more = transcriptLines(times(200, 50), 200);
const last = transcriptLines(times(250, 10), 250);

describe("a JSONL session's snapshot in segments", () => {
  const state = join(dir, "state");
  const transcript = join(dir, "session.jsonl");

  it("is one .gz of the transcript's whole lines, with its first push, and waits for an unfinished line", async () => {
    writeFileSync(transcript, `${first}{"type":"user","mess`);
    const snap = await takeSnapshot(state, ID, transcript, "claude-code", control);
    const whole = first;
    expect(gunzipSync(readFileSync(snap?.gzipPath as string)).toString()).toBe(whole);
    expect(snap?.meta.byte_size).toBe(Buffer.byteLength(whole));
    const push = snap?.meta.segments?.push;
    expect([push?.layout.generation, push?.layout.push, push?.confirmed]).toEqual([1, 0, false]);
    expect(push?.layout.raw_size).toBe(Buffer.byteLength(whole));
    expect(push?.layout.messages).toBe(messages(whole));
    const docs = readFileSync(join(state, "snapshots", snap?.meta.segments?.documents as string), "utf8")
      .trim()
      .split("\n");
    expect(docs.length).toBe(messages(whole));
  });

  it("grown before any confirmation, still holds everything since the last confirmed push", async () => {
    writeFileSync(transcript, first + more);
    const snap = await takeSnapshot(state, ID, transcript, "claude-code", control);
    expect(snap?.meta.segments?.push.layout.push).toBe(0);
    expect(snap?.meta.segments?.push.layout.chunk?.lines).toBe(250);
  });

  it("is pruned once confirmed, keeping the state the next push continues from", async () => {
    const before = readSnapshot(state, ID);
    confirmSnapshot(state, ID, before as Snapshot);
    expect(existsSync(before?.gzipPath as string)).toBe(false);
    expect(readSnapshot(state, ID)).toBeNull();
    // The transcript did not change: the pruned snapshot stands, nothing is read again.
    const same = await takeSnapshot(state, ID, transcript, "claude-code", control);
    expect(same?.meta.segments?.push.confirmed).toBe(true);

    appendFileSync(transcript, last);
    const grown = await takeSnapshot(state, ID, transcript, "claude-code", control);
    const push = grown?.meta.segments?.push;
    expect([push?.layout.generation, push?.layout.push, push?.layout.chunk?.first_line, push?.layout.chunk?.lines]).toEqual([
      1, 1, 251, 10,
    ]);
    expect(push?.layout.chunk?.bytes).toBe(push?.chunk?.length);
    const docs = readFileSync(join(state, "snapshots", grown?.meta.segments?.documents as string), "utf8")
      .trim()
      .split("\n");
    expect(docs.map((d) => JSON.parse(d).i)).toEqual(Array.from({ length: messages(first + more + last) }, (_, i) => i));
  });

  it("keeps what the server has not confirmed when the agent deletes its transcript, and can push it from there", async () => {
    rmSync(transcript);
    const kept = await takeSnapshot(state, ID, transcript, "claude-code", control);
    expect(kept?.meta.segments?.push.confirmed).toBe(false);
    expect(existsSync(kept?.gzipPath as string)).toBe(true);
    // A refused push (another push was stored first): the next snapshot starts a generation, from the kept copy.
    refuseSnapshot(state, ID);
    const again = await takeSnapshot(state, ID, transcript, "claude-code", control);
    expect([again?.meta.segments?.push.layout.generation, again?.meta.segments?.push.layout.push]).toEqual([2, 0]);
    expect(gunzipSync(readFileSync(again?.gzipPath as string)).toString()).toBe(first + more + last);
  });

  it("is over the cap with unconfirmed data: named, never deleted", () => {
    const kept = keptData(state, () => null);
    expect(kept.sessions.map((s) => s.id)).toEqual([ID]);
    const warning = overCap(kept, 1024);
    expect(warning).toContain(ID.slice(0, 8));
    expect(warning).toContain("residue push");
    expect(readSnapshot(state, ID)).not.toBeNull();
    expect(overCap(kept, kept.bytes)).toBeNull();
    // Once the server confirms it, it is pruned and no longer waits.
    confirmSnapshot(state, ID, readSnapshot(state, ID) as Snapshot);
    expect(keptData(state, () => null)).toEqual({ bytes: 0, sessions: [] });
  });
});

describe("a snapshot taken while its push was on the way", () => {
  it("is made again after what the server confirmed, once the push's answer comes", async () => {
    const state = join(dir, "state-stale");
    const transcript = join(dir, "stale.jsonl");
    writeFileSync(transcript, first);
    const pushed = (await takeSnapshot(state, ID, transcript, "claude-code", control)) as Snapshot;
    // A hook snapshots the grown transcript while the push is on the way.
    writeFileSync(transcript, first + more);
    await takeSnapshot(state, ID, transcript, "claude-code", control);
    confirmSnapshot(state, ID, pushed);
    const next = await takeSnapshot(state, ID, transcript, "claude-code", control);
    const push = next?.meta.segments?.push.layout;
    expect([push?.generation, push?.push, push?.chunk?.first_line]).toEqual([1, 1, first.split("\n").length]);
    expect(gunzipSync(readFileSync(next?.gzipPath as string)).toString()).toBe(first + more);
  });
});

describe("RESIDUE_SNAPSHOT_CAP", () => {
  it("reads sizes in binary units, 1 GiB when unset, and refuses what is not a size", () => {
    expect(snapshotCap({})).toBe(1024 ** 3);
    expect(snapshotCap({ RESIDUE_SNAPSHOT_CAP: "512M" })).toBe(512 * 1024 ** 2);
    expect(snapshotCap({ RESIDUE_SNAPSHOT_CAP: "2G" })).toBe(2 * 1024 ** 3);
    expect(snapshotCap({ RESIDUE_SNAPSHOT_CAP: "1.5g" })).toBe(1.5 * 1024 ** 3);
    expect(snapshotCap({ RESIDUE_SNAPSHOT_CAP: "4096" })).toBe(4096);
    for (const bad of ["lots", "-1G", "0", "2X"]) expect(() => snapshotCap({ RESIDUE_SNAPSHOT_CAP: bad })).toThrow(/RESIDUE_SNAPSHOT_CAP/);
    expect(formatBytes(1536 * 1024 ** 2)).toBe("1.5 GiB");
  });
});

describe("a Claude Code session with a sub-agent file, snapshotted as a section log", () => {
  const state = join(dir, "sections-state");
  const transcript = join(dir, "sections.jsonl");
  const subagent = join(dir, "sections", "subagents", "agent-a1.jsonl");
  const marker = (path: string) => `${JSON.stringify({ type: "residue-file", path })}\n`;
  const stored = (snap: Snapshot | null) => gunzipSync(readFileSync(snap?.gzipPath as string)).toString();
  const generation = (snap: Snapshot | null) => snap?.meta.segments?.push.layout.generation;

  it("continues the generation as the files grow, and lays the files out anew (a new generation) when one is rewritten", async () => {
    mkdirSync(join(dir, "sections", "subagents"), { recursive: true });
    writeFileSync(transcript, first);
    writeFileSync(subagent, more);
    const one = await takeSnapshot(state, ID, transcript, "claude-code", control);
    const layout = `${first}${marker("subagents/agent-a1.jsonl")}${more}`;
    expect(stored(one)).toBe(layout);
    // Confirmed: the server holds it, and the local copy is pruned.
    confirmSnapshot(state, ID, one as Snapshot);

    appendFileSync(transcript, last);
    const two = await takeSnapshot(state, ID, transcript, "claude-code", control);
    expect(stored(two)).toBe(`${layout}${marker("")}${last}`);
    expect([generation(two), two?.meta.segments?.push.layout.push]).toEqual([1, 1]);
    confirmSnapshot(state, ID, two as Snapshot);

    // The sub-agent's file rewritten: what is stored of it is gone, so the files are laid out as they are now.
    writeFileSync(subagent, transcriptLines(times(300, 5), 300));
    const three = await takeSnapshot(state, ID, transcript, "claude-code", control);
    expect(stored(three)).toBe(`${first}${last}${marker("subagents/agent-a1.jsonl")}${readFileSync(subagent, "utf8")}`);
    expect(generation(three)).toBe(2);
    expect(three?.meta.sections?.sections).toEqual([
      ["", 210],
      ["subagents/agent-a1.jsonl", 5],
    ]);
  });
});
