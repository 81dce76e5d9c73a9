// `residue show` and `why` on a session stored in segments: the compiled binary reads the session's layout
// and then only byte ranges of its objects, and prints exactly what it prints for the same transcript
// stored whole.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSession } from "@residue/store/writer";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../api/local/server.ts";
import { commitMapping, postJson, sessionMeta, uploadData } from "../../api/test/support/client.ts";
import { putObject } from "../../api/test/support/segments.ts";
import { Sandbox, seconds } from "./support/harness.ts";

let sb: Sandbox;
let sha: string;
/** An earlier commit, linked at the middle of the session. */
let middle: string;
const sessions: Record<string, ReturnType<typeof sessionMeta>> = {};

/** The generated long session, then a turn that edits `file`: what `why` finds. */
function transcript(work: string, file: string, t0: Date) {
  execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), join(work, "long.jsonl"), "60"]);
  const lines = readFileSync(join(work, "long.jsonl"), "utf8").trimEnd().split("\n");
  const last = JSON.parse(lines.findLast((l) => JSON.parse(l).uuid) as string).uuid;
  const l = (o: object) => JSON.stringify(o);
  lines.push(
    l({
      type: "user",
      uuid: "w1",
      parentUuid: last,
      timestamp: seconds(t0, 1).toISOString(),
      message: { role: "user", content: "Make the nebula idempotent" },
    }),
    l({
      type: "assistant",
      uuid: "w2",
      parentUuid: "w1",
      timestamp: seconds(t0, 2).toISOString(),
      message: {
        id: "mw",
        role: "assistant",
        content: [{ type: "tool_use", id: "tw", name: "Edit", input: { file_path: file, old_string: "a", new_string: "b" } }],
      },
    }),
  );
  return `${lines.join("\n")}\n`;
}

beforeAll(async () => {
  sb = new Sandbox();
  sb.residue(["init"]);
  const t0 = new Date(Date.now() - 60_000);
  const file = join(sb.repo, "nebula.ts");
  const text = transcript(sb.dir, file, t0);
  writeFileSync(join(sb.repo, "README.md"), "nebula\n");
  sb.git("add", "README.md");
  sb.gitAt(seconds(t0, 0), "commit", "-qm", "Describe nebula");
  middle = sb.git("rev-parse", "HEAD").trim();
  writeFileSync(file, "export const nebula = 1;\n");
  sb.git("add", "nebula.ts");
  sb.gitAt(seconds(t0, 5), "commit", "-qm", "Make nebula idempotent");
  sha = sb.git("rev-parse", "HEAD").trim();

  sessions.whole = sessionMeta(text, { title: "stored whole" });
  sessions.segments = sessionMeta(text, { title: "stored whole" });
  await uploadData(sessions.whole.id, text);
  const written = await writeSession({
    agent: "claude-code",
    input: [Buffer.from(text)],
    confirmed: null,
    gzipPath: join(sb.dir, "t.gz"),
    indexPath: join(sb.dir, "t.idx"),
  });
  const { generation, push } = written.layout;
  const gz = readFileSync(join(sb.dir, "t.gz"));
  const chunk = written.chunk ? gz.subarray(written.chunk.offset, written.chunk.offset + written.chunk.length) : Buffer.alloc(0);
  expect((await putObject(sessions.segments.id, { generation, push, kind: "chunk" }, chunk)).status).toBe(200);
  expect((await putObject(sessions.segments.id, { generation, push, kind: "index" }, readFileSync(join(sb.dir, "t.idx")))).status).toBe(
    200,
  );
  const lines = text.split("\n").length - 1;
  const link = (line: number) => [sessions.whole, sessions.segments].map((s) => ({ session_id: s?.id, position: { line } }));
  const commits = [commitMapping(middle, [], { sessions: link(Math.floor(lines / 2)) }), commitMapping(sha, [], { sessions: link(lines) })];
  const repo = { host: "github.com", owner: sb.owner, name: "widgets" };
  const res = await postJson("/sessions", { repo, sessions: [sessions.whole, { ...sessions.segments, layout: written.layout }], commits });
  expect(res.status, await res.clone().text()).toBe(200);
}, 120_000);

describe("show and why on a session stored in segments", () => {
  it("show prints the same conversation up to the commit, and with --all the whole of it", async () => {
    const counts: number[] = [];
    for (const args of [[middle], [middle, "--all"]]) {
      // More than spawnSync buffers: the whole session, twice, as JSON.
      const run = await sb.residueAsync(["show", "--json", ...args]);
      expect(run.status, run.stderr).toBe(0);
      const { conversations } = JSON.parse(run.stdout);
      const byId = (id: string) => conversations.find((c: { session: { id: string } }) => c.session.id === id);
      const [whole, segments] = [byId(sessions.whole?.id as string), byId(sessions.segments?.id as string)];
      expect(segments.messages).toEqual(whole.messages);
      counts.push(segments.messages.length);
    }
    // Up to the middle commit, then all of it (more than one window of 200).
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(Math.max(200, counts[0] as number));
    const text = sb.residue(["show", middle]);
    expect(text.status, text.stderr).toBe(0);
    const [first, second] = text.stdout.split(/━━ claude-code session \S+: /).slice(1);
    expect(first).toContain("── assistant");
    expect(second).toBe(first);
  });

  it("show reads the same ranges under deno", async () => {
    const bun = await sb.residueAsync(["show", "--json", middle]);
    const command = sb.command;
    sb.command = [join(ROOT, "node_modules/.bin/deno"), "run", "-A", "--quiet", join(ROOT, "cli/src/main.ts")];
    try {
      const deno = await sb.residueAsync(["show", "--json", middle]);
      expect(deno.status, deno.stderr).toBe(0);
      expect(JSON.parse(deno.stdout)).toEqual(JSON.parse(bun.stdout));
    } finally {
      sb.command = command;
    }
  }, 120_000);

  it("why finds the turn that wrote a line in both", () => {
    const run = sb.residue(["why", "nebula.ts:1"]);
    expect(run.status, run.stderr).toBe(0);
    const parts = run.stdout.split("━━ claude-code session: ").slice(1);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toContain("Make the nebula idempotent");
    expect(parts[1]?.replace(sessions.segments?.id as string, "ID")).toBe(parts[0]?.replace(sessions.whole?.id as string, "ID"));
  });
});
