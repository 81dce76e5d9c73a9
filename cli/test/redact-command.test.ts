// `residue redact`: what the rules would take out of the queued sessions, shown masked (the secret never printed,
// hostile bytes inert), per rule; and without --dry-run the snapshots retaken with the current rules.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CONTEXT, maskedHits } from "../src/commands/redact/dry-run.ts";
import { Sandbox, transcriptLines } from "./support/harness.ts";
import { residueInProcess } from "./support/in-process.ts";

const TOKEN = `ghp_${"Zq9Xw8Vu7T".repeat(3)}s6R5p4`;
const INTERNAL = "ACME-CUSTOMER-7730021";
/** Raw escape sequences a hostile transcript may carry: a clipboard write and a screen clear. */
const HOSTILE = "\u001b]52;c;ZXZpbA==\u0007\u001b[2J";

function setup() {
  const sb = new Sandbox();
  const data = join(sb.dir, "s.jsonl");
  const user = (content: string) =>
    `${JSON.stringify({ type: "user", uuid: crypto.randomUUID(), timestamp: new Date().toISOString(), message: { role: "user", content } })}\n`;
  const padding = "x".repeat(200);
  writeFileSync(
    data,
    transcriptLines([new Date(), new Date()]) +
      user(`${padding} deploy with ${TOKEN} please ${padding}`) +
      // Not valid JSON any more (a raw ESC), as a broken or hostile transcript may be.
      user(`customer ${INTERNAL}`).replace("customer", `${HOSTILE}customer`),
  );
  writeFileSync(
    join(sb.repo, ".residue.json"),
    JSON.stringify({ redaction: { patterns: [{ name: "acme-customer", regex: "ACME-CUSTOMER-\\d+" }] } }),
  );
  return { sb, data };
}

describe("residue redact", { timeout: 60_000 }, () => {
  it("--dry-run shows counts per rule and each hit masked, never the secret, escapes inert", async () => {
    const { sb, data } = setup();
    const id = (await residueInProcess(sb, ["session", "start", "--agent", "claude-code", "--data", data])).stdout.trim();
    const run = await residueInProcess(sb, ["redact", "--dry-run"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Rules: built-in + ${join(sb.repo, ".residue.json")}`);
    expect(run.stdout).toContain(`${id} (claude-code, "Fix the widget parser"`);
    expect(run.stdout).toContain("would redact 2 value(s): acme-customer 1, github-pat 1");
    expect(run.stdout).toContain(`line 3 [github-pat] …${"x".repeat(27)} deploy with [REDACTED:github-pat] please ${"x".repeat(32)}…\n`);
    expect(run.stdout).toContain("line 4 [acme-customer] ");
    expect(run.stdout).toContain("^[]52;c;ZXZpbA==^G^[[2J");
    for (const output of [run.stdout, run.stderr]) {
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain(INTERNAL);
      expect(output).not.toContain("\u001b");
    }

    const json = await residueInProcess(sb, ["redact", "--dry-run", "--json", id.slice(0, 8)]);
    const report = JSON.parse(json.stdout);
    expect(report.sessions[0]).toMatchObject({ id, total: 2, counts: { "github-pat": 1, "acme-customer": 1 } });
    expect(json.stdout).not.toContain(TOKEN);
    expect(json.stdout).not.toContain(INTERNAL);

    // Nothing was written: the dry run takes no snapshot.
    expect(readFileSync(join(sb.repo, ".residue", "state.json"), "utf8")).toContain(id);
    expect((await residueInProcess(sb, ["redact", "--dry-run", "0badc0de"])).status).toBe(2);
  });

  it("--dry-run reads any transcript file, outside a repo too, with the user's rules", async () => {
    const { sb, data } = setup();
    mkdirSync(join(sb.home, ".residue"), { recursive: true });
    writeFileSync(join(sb.home, ".residue", "config"), JSON.stringify({ redaction: { allow: { strings: [TOKEN] } } }));
    const run = await residueInProcess(sb, ["redact", "--dry-run", data], { cwd: sb.dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Rules: built-in + ${join(sb.home, ".residue", "config")}`);
    expect(run.stdout).toContain(`${data}\n  nothing to redact`);
    const notQueued = await residueInProcess(sb, ["redact", data]);
    expect(notQueued.status).toBe(2);
    expect(notQueued.stderr).toContain(`residue redact --dry-run ${data}`);
  });

  it("without --dry-run retakes the snapshots with the current rules and reports the counts", async () => {
    const { sb, data } = setup();
    const id = (await residueInProcess(sb, ["session", "start", "--agent", "claude-code", "--data", data])).stdout.trim();
    const run = await residueInProcess(sb, ["redact"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("redacted in the snapshot: 2 value(s): acme-customer 1, github-pat 1");
    const snapshots = join(sb.repo, ".residue", "snapshots");
    const meta = JSON.parse(readFileSync(join(snapshots, `${id}.json`), "utf8"));
    const stored = gunzipSync(readFileSync(join(snapshots, meta.file))).toString("utf8");
    expect(stored).not.toContain(TOKEN);
    expect(stored).not.toContain(INTERNAL);

    // The team drops its pattern: the snapshot is retaken without it.
    writeFileSync(join(sb.repo, ".residue.json"), "{}");
    expect((await residueInProcess(sb, ["redact"])).stdout).toContain("redacted in the snapshot: 1 value(s): github-pat 1");
  });

  it("masks: at most CONTEXT characters of the redacted line on each side of a mark", () => {
    const line = `${"a".repeat(100)}[REDACTED:rule-x]${"b".repeat(100)}`;
    expect(maskedHits(line, 7)).toEqual([
      { line: 7, rule: "rule-x", context: `…${"a".repeat(CONTEXT)}[REDACTED:rule-x]${"b".repeat(CONTEXT)}…` },
    ]);
  });
});
