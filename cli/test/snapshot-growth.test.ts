// The metadata a push sends (size, message count) describes exactly the bytes it uploads, even while the
// agent keeps appending to the transcript during the push.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Sandbox, seconds, transcriptLines } from "./support/harness.ts";

it("uploads the bytes it measured while the transcript grows", async () => {
  const sb = new Sandbox();
  sb.residue(["init"]);
  const p = join(sb.dir, "growing.jsonl");
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  // A few MB, so reading it takes long enough for the agent to append meanwhile.
  writeFileSync(p, transcriptLines(Array.from({ length: 20_000 }, (_, i) => seconds(t0, i / 1000))));
  const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", p]).stdout.trim();
  sb.edit("a.ts", "a\n");
  sb.gitAt(seconds(t0, 30), "commit", "-qm", "A");
  let n = 0;
  const writer = setInterval(() => appendFileSync(p, transcriptLines([seconds(t0, 31)], 20_000 + n++)), 1);
  const push = await sb.residueAsync(["push", "--json"]);
  clearInterval(writer);
  expect(push.status, push.stderr).toBe(0);
  expect(n).toBeGreaterThan(0);

  const session = (await sb.api(`/repos/${sb.owner}/widgets`)).body.commits[0].sessions[0];
  const raw = await sb.rawSession(id);
  expect(session.byte_size).toBe(raw.length);
  expect(session.message_count).toBe(
    raw
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim()).length,
  );
});
