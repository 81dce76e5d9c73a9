// The same CLI entry point, unchanged, under `deno run`: init → session → commit → push.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ROOT, Sandbox, seconds, transcriptLines } from "./support/harness.ts";

it("runs the whole flow under deno, hooks included", async () => {
  const sb = new Sandbox();
  sb.command = [join(ROOT, "node_modules/.bin/deno"), "run", "-A", "--quiet", join(ROOT, "cli/src/main.ts")];
  const init = sb.residue(["init"]);
  expect(init.status, init.stderr).toBe(0);
  expect(readFileSync(join(sb.repo, ".git/hooks/pre-push"), "utf8")).toMatch(/deno' 'run' '-A' '.*main\.ts' sync --hook/);
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const transcript = join(sb.dir, "deno.jsonl");
  writeFileSync(transcript, transcriptLines([seconds(t0, 1), seconds(t0, 2)]));
  const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]).stdout.trim();
  sb.edit("d.ts", "d\n");
  sb.gitAt(seconds(t0, 5), "commit", "-qm", "from deno");
  expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);
  sb.git("push", "-q", "origin", "main");
  const page = await sb.api(`/repos/${sb.owner}/widgets`);
  expect(page.body.commits[0]).toMatchObject({ message: "from deno", sessions: [{ id, title: "Fix the widget parser" }] });
  expect((await sb.rawSession(id)).toString()).toBe(readFileSync(transcript, "utf8"));
});
