// search, show, why and open through the compiled binary, on data pushed by it (sync indexes for search).
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Sandbox, seconds } from "./support/harness.ts";

let sb: Sandbox;
let sha: string;
let sessionId: string;

function claudeTranscript(t0: Date, file: string) {
  const l = (o: object) => JSON.stringify(o);
  return [
    l({
      type: "user",
      uuid: "u1",
      parentUuid: null,
      timestamp: seconds(t0, 1).toISOString(),
      message: { role: "user", content: "Make the quasar widget idempotent" },
    }),
    l({
      type: "assistant",
      uuid: "a1",
      parentUuid: "u1",
      timestamp: seconds(t0, 2).toISOString(),
      message: {
        id: "m1",
        role: "assistant",
        content: [
          { type: "text", text: "Editing the quasar module." },
          { type: "tool_use", id: "t1", name: "Edit", input: { file_path: file, old_string: "a", new_string: "b" } },
        ],
      },
    }),
    l({
      type: "user",
      uuid: "r1",
      parentUuid: "a1",
      timestamp: seconds(t0, 3).toISOString(),
      message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
    }),
    l({
      type: "assistant",
      uuid: "a2",
      parentUuid: "r1",
      timestamp: seconds(t0, 4).toISOString(),
      message: { id: "m2", role: "assistant", content: [{ type: "text", text: "The quasar widget is idempotent now." }] },
    }),
  ].join("\n");
}

beforeAll(() => {
  sb = new Sandbox();
  sb.residue(["init"]);
  const t0 = new Date(Date.now() - 60_000);
  const file = join(sb.repo, "quasar.ts");
  const transcript = join(sb.dir, "quasar.jsonl");
  writeFileSync(transcript, claudeTranscript(t0, file));
  sessionId = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
  writeFileSync(file, "export const quasar = 1;\nexport const idempotent = true;\n");
  sb.git("add", "quasar.ts");
  sb.gitAt(seconds(t0, 5), "commit", "-qm", "Make quasar idempotent");
  sha = sb.git("rev-parse", "HEAD").trim();
  sb.residue(["session", "end", "--id", sessionId]);
  sb.git("push", "-q", "origin", "main");
});

describe("reading the record from the terminal", () => {
  it("residue search finds the conversation and prints where it is", () => {
    const run = sb.residue(["search", "quasar", "idempotent", "--org", sb.owner]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${sb.owner}/widgets@${sha.slice(0, 7)}`);
    expect(run.stdout).toMatch(/\*quasar\*/);
    expect(run.stdout).toContain(`/app/${sb.owner}/widgets/${sha}#m-`);
    const json = JSON.parse(sb.residue(["search", "file:quasar.ts", "--org", sb.owner, "--json"]).stdout);
    // Both the edit and the commit that changed the file match.
    expect(json.hits.map((h: { kind: string }) => h.kind).sort()).toEqual(["commit", "message"]);
    expect(json.hits.find((h: { kind: string }) => h.kind === "message")).toMatchObject({ session: { id: sessionId }, commit: { sha } });
    expect(sb.residue(["search", "nothingmatchesthis", "--org", sb.owner]).stdout).toBe("No matches.\n");
    const bad = sb.residue(["search", "-only", "--org", sb.owner]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("exclusions alone match nothing");
  });

  it("residue show prints the conversation behind a commit", () => {
    const run = sb.residue(["show", sha.slice(0, 8)]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Make quasar idempotent");
    expect(run.stdout).toContain("── user #m-0");
    expect(run.stdout).toContain("Make the quasar widget idempotent");
    expect(run.stdout).toMatch(/⚙ Edit: .*quasar\.ts ✓/);
    expect(JSON.parse(sb.residue(["show", "HEAD", "--json"]).stdout).conversations[0].messages.length).toBeGreaterThan(1);
  });

  it("residue why finds the turn that wrote a line", () => {
    const run = sb.residue(["why", "quasar.ts:2"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`quasar.ts:2 was last changed by ${sha.slice(0, 12)}`);
    expect(run.stdout).toContain("Make the quasar widget idempotent");
    expect(run.stdout).toMatch(/#m-1\n/);
    expect(sb.residue(["why", "quasar.ts"]).stderr).toContain("give a file and line");
  });

  it("residue open hands the permalink to the browser", async () => {
    const opened = join(sb.dir, "opened.txt");
    const browser = join(sb.dir, "browser.sh");
    writeFileSync(browser, `#!/bin/sh\necho "$1" > '${opened}'\n`);
    chmodSync(browser, 0o755);
    const run = sb.residue(["open", "HEAD"], { env: { BROWSER: browser } });
    expect(run.status).toBe(0);
    const link = `${sb.env.RESIDUE_URL}/app/${sb.owner}/widgets/${sha}`;
    expect(run.stdout.trim()).toBe(link);
    await expect
      .poll(() => {
        try {
          return readFileSync(opened, "utf8").trim();
        } catch {
          return "";
        }
      })
      .toBe(link);
  });

  it("prints hostile transcripts and commit messages without driving the terminal", () => {
    const t0 = new Date(Date.now() - 30_000);
    const hostile = "\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\u009b2J";
    const file = join(sb.repo, "hostile.ts");
    const transcript = join(sb.dir, "hostile.jsonl");
    writeFileSync(transcript, claudeTranscript(t0, file).replaceAll("quasar", `nebula ${JSON.stringify(hostile).slice(1, -1)}`));
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
    writeFileSync(file, "export const nebula = 1;\n");
    sb.git("add", "hostile.ts");
    sb.gitAt(seconds(t0, 5), "commit", "-qm", `Nebula ${hostile}`);
    sb.residue(["session", "end", "--id", id]);
    sb.git("push", "-q", "origin", "main");
    const runs = [sb.residue(["show", "HEAD"]), sb.residue(["search", "nebula", "--org", sb.owner]), sb.residue(["why", "hostile.ts:1"])];
    for (const run of runs) {
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain("nebula");
      expect(run.stdout).toContain("^[]52;c;ZXZpbA==^G");
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters.
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
  });
});
