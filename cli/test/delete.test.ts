// `residue delete`: a session, or every conversation behind a commit, removed from the real backend after saying
// which (and where else each is linked); forgotten locally so the next push does not upload it again.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BaseDeps, printable, withServices } from "../src/deps.ts";
import { main } from "../src/main.ts";
import { BINARY, Sandbox, stamp, transcriptLines } from "./support/harness.ts";
import { residueInProcess } from "./support/in-process.ts";

async function ok(sb: Sandbox, args: string[]) {
  const run = await residueInProcess(sb, args);
  expect(run.status, `${args.join(" ")}: ${run.stderr}`).toBe(0);
  return run;
}

async function startSession(sb: Sandbox, name: string) {
  const data = join(sb.dir, `${name}.jsonl`);
  writeFileSync(data, transcriptLines([new Date(), new Date()]));
  return (await ok(sb, ["session", "start", "--agent", "claude-code", "--data", data])).stdout.trim();
}

function commit(sb: Sandbox, file: string) {
  sb.edit(file, "change\n");
  sb.git("commit", "-qm", `Change ${file}`);
  return sb.git("rev-parse", "HEAD").trim();
}

const linkedTo = async (sb: Sandbox, sha: string) =>
  ((await sb.api(`/repos/${sb.owner}/widgets/${sha}`)).body.commit.sessions as { id: string }[]).map((s) => s.id).sort();

describe("residue delete", { timeout: 90_000 }, () => {
  it("deletes a session from the server and forgets it here; without a terminal it needs --yes", async () => {
    const sb = new Sandbox();
    const id = await startSession(sb, "a");
    await ok(sb, ["push"]);
    expect((await sb.get(`/sessions/${id}`)).status).toBe(200);

    const unconfirmed = await residueInProcess(sb, ["delete", id]);
    expect(unconfirmed.status).toBe(2);
    expect(unconfirmed.stderr).toContain("add --yes to confirm");
    expect((await sb.get(`/sessions/${id}`)).status).toBe(200);

    const run = await ok(sb, ["delete", id.slice(0, 8), "--yes"]);
    expect(run.stdout).toContain(`Session ${id} (claude-code, "Fix the widget parser"`);
    expect(run.stdout).toContain(`${id}: deleted from the server; forgotten here, so no push sends it again`);
    expect((await sb.get(`/sessions/${id}`)).status).toBe(404);
    await ok(sb, ["push"]);
    expect((await sb.get(`/sessions/${id}`)).status).toBe(404);
    expect(JSON.parse((await ok(sb, ["status", "--json"])).stdout).sessions).toEqual([]);

    const again = await residueInProcess(sb, ["delete", id, "--yes"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`session ${id} is not on`);
  });

  it("asks in a terminal, and deletes nothing unless the answer is y", async () => {
    const sb = new Sandbox();
    const id = await startSession(sb, "a");
    await ok(sb, ["push"]);
    const questions: string[] = [];
    const inTerminal = async (answer: string) => {
      let stderr = "";
      const base: BaseDeps = {
        cwd: sb.repo,
        env: sb.env,
        home: sb.home,
        out: () => {},
        err: (t) => {
          stderr += printable(t);
        },
        now: Date.now,
        readStdin: async () => "",
        ask: async (question) => {
          questions.push(question);
          return answer;
        },
        isTTY: true,
        stdinIsTTY: true,
        selfCommand: [BINARY],
        platform: "linux",
        arch: process.arch,
        launch: async () => true,
      };
      return { status: await main(["delete", id], withServices(base)), stderr };
    };
    const no = await inTerminal("n");
    expect(no.status).toBe(1);
    expect(no.stderr).toContain("cancelled; nothing was deleted");
    expect(questions[0]).toBe(`Delete it from ${sb.env.RESIDUE_URL}? Type y to confirm: `);
    expect((await sb.get(`/sessions/${id}`)).status).toBe(200);
    expect((await inTerminal("y\n")).status).toBe(0);
    expect((await sb.get(`/sessions/${id}`)).status).toBe(404);
  });

  it("deletes the conversations behind a commit, listing the other commits each is linked to", async () => {
    const sb = new Sandbox();
    await ok(sb, ["init"]);
    const shared = await startSession(sb, "shared");
    const only = await startSession(sb, "only");
    const first = commit(sb, "a.txt");
    // The shared conversation goes on after the first commit, so the second is linked to it too.
    appendFileSync(join(sb.dir, "shared.jsonl"), transcriptLines([stamp(), stamp()], 2));
    const second = commit(sb, "b.txt");
    await ok(sb, ["push"]);
    // Links set by hand, so the test states them: `first` has both, `second` has the shared one.
    for (const [sha, id, on] of [
      [first, shared, true],
      [first, only, true],
      [second, shared, true],
      [second, only, false],
    ] as const) {
      const have = (await linkedTo(sb, sha)).includes(id);
      if (have !== on) await ok(sb, [on ? "link" : "unlink", sha, id]);
    }
    expect(await linkedTo(sb, first)).toEqual([shared, only].sort());
    expect(await linkedTo(sb, second)).toEqual([shared]);

    const run = await ok(sb, ["delete", first.slice(0, 10), "--yes"]);
    expect(run.stdout).toContain(`Commit ${first.slice(0, 12)} Change a.txt`);
    expect(run.stdout).toContain("2 conversation(s) linked; each is deleted whole, from every commit it is linked to:");
    expect(run.stdout).toContain(
      `  ${shared} (claude-code, "Fix the widget parser", 4 messages)\n    also linked to: ${second.slice(0, 12)} Change b.txt\n`,
    );
    expect(run.stdout).toContain(`  ${only} (claude-code, "Fix the widget parser", 2 messages)\n    linked to no other commit\n`);
    for (const id of [shared, only]) expect((await sb.get(`/sessions/${id}`)).status).toBe(404);
    // The commits stay, their permalinks now with no conversation.
    for (const sha of [first, second]) expect(await linkedTo(sb, sha)).toEqual([]);
    const again = await ok(sb, ["delete", first, "--yes"]);
    expect(again.stdout).toContain("No conversation is linked to it on the server; nothing to delete.");
  });
});
