// The user's and the team's redaction rules, through the compiled binary against the real backend: a pattern in
// the repo's committed `.residue.json` and an allowed string in ~/.residue/config decide what lands in R2, a change
// of rules retakes the snapshot, and a broken file holds the upload back with an error naming the file and entry.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Sandbox, transcriptLines } from "./support/harness.ts";

/** A GitHub token shape the built-in rules redact, and an internal id only the team's pattern knows. */
const TOKEN = `ghp_${"a1B2c3D4e5".repeat(3)}x9Y8z7`;
const INTERNAL = "ACME-CUSTOMER-0042917";

function transcript(sb: Sandbox, extra = ""): string {
  const path = join(sb.dir, "session.jsonl");
  const line = (content: string) =>
    `${JSON.stringify({ type: "user", uuid: crypto.randomUUID(), timestamp: new Date().toISOString(), message: { role: "user", content } })}\n`;
  writeFileSync(path, transcriptLines([new Date(), new Date()]) + line(`my token is ${TOKEN} for customer ${INTERNAL}`) + extra);
  return path;
}

function userConfig(sb: Sandbox, body: unknown) {
  mkdirSync(join(sb.home, ".residue"), { recursive: true });
  writeFileSync(join(sb.home, ".residue", "config"), typeof body === "string" ? body : JSON.stringify(body));
}

const teamRules = { redaction: { patterns: [{ name: "acme-customer", regex: "ACME-CUSTOMER-\\d+" }] } };

describe("redaction rules from ~/.residue/config and .residue.json", { timeout: 120_000 }, () => {
  it("a repo pattern and a user allow-string decide what lands in R2; changing them retakes the snapshot", async () => {
    const sb = new Sandbox();
    const data = transcript(sb);
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", data]).stdout.trim();
    expect(sb.residue(["push"]).status).toBe(0);
    let stored = (await sb.rawSession(id)).toString("utf8");
    expect(stored).toContain("[REDACTED:github-pat]");
    expect(stored).toContain(INTERNAL);

    // Rules change, the transcript does not: the snapshot is taken again and uploaded with the new rules.
    writeFileSync(join(sb.repo, ".residue.json"), JSON.stringify(teamRules));
    userConfig(sb, { redaction: { allow: { strings: [TOKEN] } } });
    const push = sb.residue(["push", "--json"]);
    expect(push.status, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ uploaded: 1, failed: [] });
    stored = (await sb.rawSession(id)).toString("utf8");
    expect(stored).toContain("[REDACTED:acme-customer]");
    expect(stored).not.toContain(INTERNAL);
    expect(stored).toContain(TOKEN);

    // A grown session is redacted with the same rules, old lines and new.
    writeFileSync(data, `${readFileSync(data, "utf8")}${transcriptLines([new Date()], 5).replace("message 5", `again ${INTERNAL}`)}`);
    expect(sb.residue(["push"]).status).toBe(0);
    stored = (await sb.rawSession(id)).toString("utf8");
    expect(stored).not.toContain(INTERNAL);
    expect(stored.match(/\[REDACTED:acme-customer\]/g)?.length).toBe(2);
  });

  it("a kept copy is redacted again with new rules when the agent deleted its transcript", async () => {
    const sb = new Sandbox();
    const data = transcript(sb);
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", data]).stdout.trim();
    expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);
    rmSync(data);
    writeFileSync(join(sb.repo, ".residue.json"), JSON.stringify(teamRules));
    const push = sb.residue(["push", "--json"]);
    expect(push.status, push.stderr).toBe(0);
    const stored = (await sb.rawSession(id)).toString("utf8");
    expect(stored).not.toContain(INTERNAL);
    expect(stored).toContain("[REDACTED:acme-customer]");
    expect(stored).toContain("[REDACTED:github-pat]");
  });

  it("a broken rule keeps the session queued and says which file and entry; doctor reports it; the hook exits 0", async () => {
    const sb = new Sandbox();
    const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript(sb)]).stdout.trim();
    writeFileSync(join(sb.repo, ".residue.json"), JSON.stringify({ redaction: { patterns: [{ name: "acme", regex: "ACME-(\\d+" }] } }));
    const push = sb.residue(["push"]);
    expect(push.status).toBe(1);
    expect(push.stderr).toContain(
      `${join(sb.repo, ".residue.json")}: redaction.patterns[0].regex: not a valid JavaScript regular expression`,
    );
    expect((await sb.get(`/sessions/${id}`)).status).toBe(404);
    const hook = sb.residue(["sync", "--hook"]);
    expect(hook.status).toBe(0);
    expect(hook.stderr).toContain("1 session(s) not uploaded, kept for the next push");
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions.map((s: { id: string }) => s.id)).toContain(id);

    const doctor = sb.residue(["doctor"]);
    expect(doctor.status).toBe(1);
    expect(doctor.stdout).toMatch(/✗ privacy rules .*redaction\.patterns\[0\]\.regex/);

    // Unknown keys and invalid JSON in the user's file are named too.
    writeFileSync(join(sb.repo, ".residue.json"), JSON.stringify(teamRules));
    userConfig(sb, { redaction: { allow: { string: ["x"] } } });
    expect(sb.residue(["push"]).stderr).toContain(`${join(sb.home, ".residue", "config")}: redaction.allow: Unrecognized key: "string"`);
    userConfig(sb, "{ redaction: ");
    expect(sb.residue(["push"]).stderr).toContain(`${join(sb.home, ".residue", "config")} is not valid JSON`);

    // Fixed: the queued session goes up, redacted with the rules.
    userConfig(sb, {});
    expect(sb.residue(["push"]).status).toBe(0);
    expect((await sb.rawSession(id)).toString("utf8")).toContain("[REDACTED:acme-customer]");
    expect(sb.residue(["doctor"]).stdout).toMatch(/✓ privacy rules +1 pattern, 0 allowed values, 0 ignored paths/);
  });

  it("login rewrites the user config but keeps its redaction and ignore sections", () => {
    const sb = new Sandbox();
    const rules = { redaction: { allow: { strings: [TOKEN], regexes: [] }, patterns: [] }, ignore: ["/tmp/private"] };
    userConfig(sb, rules);
    const login = sb.residue(["login", "--url", sb.env.RESIDUE_URL as string, "--token-stdin"], {
      input: sb.env.RESIDUE_TOKEN,
      env: { RESIDUE_URL: "", RESIDUE_TOKEN: "" },
    });
    expect(login.status, login.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(sb.home, ".residue", "config"), "utf8"));
    expect(saved).toEqual({ ...rules, url: sb.env.RESIDUE_URL, token: sb.env.RESIDUE_TOKEN });
  });
});
