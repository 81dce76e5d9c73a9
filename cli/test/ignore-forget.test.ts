// Users decide what is recorded: `residue ignore` (and a team's `.residue.json`) keep sessions working under some
// directories from ever being registered, through the agents' real hook payloads; `residue forget` takes one back
// and the agent's next hook does not bring it again. In-process, against a real repository and the real backend.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadControl } from "../src/config/control.ts";
import { absoluteGlob, isUnder } from "../src/config/glob.ts";
import { Sandbox, transcriptLines } from "./support/harness.ts";
import { residueInProcess } from "./support/in-process.ts";

/** Claude Code's hook payload for a session working in `cwd`, its transcript written. */
function payload(sb: Sandbox, cwd: string, event = "SessionStart") {
  const id = crypto.randomUUID();
  const transcript = join(sb.dir, `${id}.jsonl`);
  writeFileSync(transcript, transcriptLines([new Date(), new Date()]));
  mkdirSync(cwd, { recursive: true });
  return {
    id,
    transcript,
    json: JSON.stringify({ session_id: id, transcript_path: transcript, cwd, hook_event_name: event, source: "startup" }),
  };
}

async function hook(sb: Sandbox, input: string) {
  const run = await residueInProcess(sb, ["hook", "claude-code"], { input });
  expect(run).toMatchObject({ status: 0, stdout: "" });
}

async function queued(sb: Sandbox): Promise<{ id: string; data_path: string }[]> {
  const run = await residueInProcess(sb, ["status", "--json"]);
  return JSON.parse(run.stdout).sessions;
}

const log = (sb: Sandbox) => readFileSync(join(sb.repo, ".residue", "log"), "utf8");

describe("residue ignore", { timeout: 60_000 }, () => {
  it("keeps hooks and session start from registering sessions under ignored paths, the user's and the team's", async () => {
    const sb = new Sandbox();
    const add = await residueInProcess(sb, ["ignore", "private"]);
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toContain(`Ignored: ${join(sb.repo, "private")}`);
    expect(JSON.parse(readFileSync(join(sb.home, ".residue", "config"), "utf8")).ignore).toEqual([join(sb.repo, "private")]);

    const hidden = payload(sb, join(sb.repo, "private", "deep"));
    await hook(sb, hidden.json);
    expect(await queued(sb)).toEqual([]);
    expect(log(sb)).toContain(`${join(sb.repo, "private", "deep")} is ignored (${join(sb.repo, "private")} in`);

    // The team's committed list, with a glob relative to the repo root.
    writeFileSync(join(sb.repo, ".residue.json"), JSON.stringify({ ignore: ["scratch-*"] }));
    mkdirSync(join(sb.repo, "scratch-2"));
    await hook(sb, payload(sb, join(sb.repo, "scratch-7")).json);
    const start = await residueInProcess(sb, [
      "session",
      "start",
      "--agent",
      "pi",
      "--data",
      payload(sb, sb.repo).transcript,
      "--cwd",
      join(sb.repo, "scratch-2"),
    ]);
    expect(start.status).toBe(0);
    expect(start.stderr).toContain("scratch-2 is ignored (scratch-* in");
    expect(await queued(sb)).toEqual([]);

    const seen = payload(sb, join(sb.repo, "app"));
    await hook(sb, seen.json);
    expect((await queued(sb)).map((s) => s.data_path)).toEqual([seen.transcript]);

    const list = await residueInProcess(sb, ["ignore", "--list"]);
    expect(list.stdout).toContain(`${join(sb.repo, "private")}  — ${join(sb.home, ".residue", "config")}`);
    expect(list.stdout).toContain(`scratch-* (${join(sb.repo, "scratch-*")})  — ${join(sb.repo, ".residue.json")}`);
    const shared = await residueInProcess(sb, ["ignore", "--remove", "scratch-*"]);
    expect(shared.status).toBe(2);
    expect(shared.stderr).toContain("edit that file");

    expect((await residueInProcess(sb, ["ignore", "--remove", join(sb.repo, "private")])).stdout).toContain("No longer ignored");
    await hook(sb, hidden.json);
    expect((await queued(sb)).map((s) => s.data_path).sort()).toEqual([hidden.transcript, seen.transcript].sort());
  });

  it("keeps Codex discovery from registering rollouts working under an ignored path", async () => {
    const sb = new Sandbox();
    const now = new Date();
    const day = join(
      sb.dir,
      "codex",
      "sessions",
      String(now.getFullYear()),
      String(now.getMonth() + 1).padStart(2, "0"),
      String(now.getDate()).padStart(2, "0"),
    );
    mkdirSync(day, { recursive: true });
    const rollout = (cwd: string) => {
      const id = crypto.randomUUID();
      const path = join(day, `rollout-${id}.jsonl`);
      mkdirSync(cwd, { recursive: true });
      writeFileSync(path, `${JSON.stringify({ type: "session_meta", timestamp: now.toISOString(), payload: { id, cwd } })}\n`);
      return path;
    };
    const hidden = rollout(join(sb.repo, "vendor", "x"));
    const seen = rollout(sb.repo);
    writeFileSync(join(sb.repo, ".residue.json"), JSON.stringify({ ignore: ["vendor"] }));
    const env = { CODEX_HOME: join(sb.dir, "codex") };
    expect((await residueInProcess(sb, ["init"])).status).toBe(0);
    sb.edit("a.txt", "a\n");
    sb.git("commit", "-qm", "a");
    const status = await residueInProcess(sb, ["status", "--json"], { env });
    const paths = (JSON.parse(status.stdout).sessions as { data_path: string }[]).map((s) => s.data_path);
    expect(paths).toContain(seen);
    expect(paths).not.toContain(hidden);
  });

  it("records nothing while the rules cannot be read; an end hook records the session whole once fixed", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, ".residue.json"), "{ not json");
    const p = payload(sb, sb.repo);
    await hook(sb, p.json);
    expect(await queued(sb)).toEqual([]);
    expect(log(sb)).toContain(`${p.id} not recorded: ${join(sb.repo, ".residue.json")} is not valid JSON`);
    writeFileSync(join(sb.repo, ".residue.json"), "{}");
    await hook(sb, p.json.replace("SessionStart", "SessionEnd"));
    expect((await queued(sb)).map((s) => s.data_path)).toEqual([p.transcript]);
  });

  it("forgets what was queued under a newly ignored directory, naming it", async () => {
    const sb = new Sandbox();
    const inside = payload(sb, join(sb.repo, "client"));
    const outside = payload(sb, join(sb.repo, "lib"));
    await hook(sb, inside.json);
    await hook(sb, outside.json);
    const [forgotten] = (await queued(sb)).filter((s) => s.data_path === inside.transcript);
    const run = await residueInProcess(sb, ["ignore"], { cwd: join(sb.repo, "client") });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Forgot 1 queued session(s) working there:");
    expect(run.stdout).toContain(`${forgotten?.id} (claude-code, "Fix the widget parser"`);
    expect((await queued(sb)).map((s) => s.data_path)).toEqual([outside.transcript]);

    // A team's list pulled later: the agent's next hook there takes its queued session back.
    writeFileSync(join(sb.repo, ".residue.json"), JSON.stringify({ ignore: ["lib"] }));
    await hook(sb, outside.json);
    expect(await queued(sb)).toEqual([]);
    expect(log(sb)).toMatch(/lib is ignored \(lib in .*\.residue\.json\); not recorded; forgot queued session /);
  });
});

describe("residue forget", { timeout: 60_000 }, () => {
  it("drops a queued session and its copy; the agent's later hooks do not register it again", async () => {
    const sb = new Sandbox();
    const p = payload(sb, sb.repo);
    await hook(sb, p.json);
    const [session] = await queued(sb);
    const id = session?.id as string;
    await hook(sb, payload(sb, sb.repo, "SessionEnd").json.replace(/"session_id":"[^"]+"/, `"session_id":"${p.id}"`));
    expect(readdirSync(join(sb.repo, ".residue", "snapshots")).some((n) => n.startsWith(id))).toBe(true);

    const run = await residueInProcess(sb, ["forget", id.slice(0, 8)]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Forgot ${id} (claude-code, "Fix the widget parser", started `);
    expect(run.stdout).not.toContain("residue delete");
    expect(await queued(sb)).toEqual([]);
    expect(readdirSync(join(sb.repo, ".residue", "snapshots")).some((n) => n.startsWith(id))).toBe(false);
    expect(existsSync(p.transcript)).toBe(true);

    await hook(sb, p.json);
    await hook(sb, p.json.replace("SessionStart", "SessionEnd"));
    expect(await queued(sb)).toEqual([]);
    expect((await residueInProcess(sb, ["forget", id])).stdout).toContain("was forgotten already");

    const unknown = await residueInProcess(sb, ["forget", "0badc0de"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("`residue status` lists the queued sessions and their ids");
  });

  it("says how to remove a session from the server when it was uploaded already", async () => {
    const sb = new Sandbox();
    const p = payload(sb, sb.repo);
    await hook(sb, p.json);
    const [session] = await queued(sb);
    const push = await residueInProcess(sb, ["push"]);
    expect(push.status, push.stderr).toBe(0);
    const run = await residueInProcess(sb, ["forget", p.id]);
    expect(run.stdout).toContain(`It was uploaded already: \`residue delete ${session?.id}\` removes it from the server.`);
  });
});

describe("ignore globs", () => {
  it("match a directory and everything under it; * and ? stay within a name, ** spans directories", () => {
    expect(isUnder("/w/app/src", "/w/app")).toBe(true);
    expect(isUnder("/w/apple", "/w/app")).toBe(false);
    expect(isUnder("/w/tmp-3/deep", "**/tmp-?")).toBe(true);
    expect(isUnder("/w/a/b/c/d", "/w/*/b")).toBe(true);
    expect(isUnder("/w/a/x/b", "/w/*/b")).toBe(false);
    expect(isUnder("/w/a/x/b", "/w/**/b")).toBe(true);
    expect(isUnder("/w/c1", "/w/[ab]1")).toBe(false);
    expect(isUnder("/w/a.b", "/w/a?b")).toBe(true);
    expect(isUnder("/w/axb", "/w/a.b")).toBe(false);
    expect(absoluteGlob("~/clients/", "/base", "/home/u")).toBe("/home/u/clients");
    expect(absoluteGlob("scratch-*", "/repo", "/home/u")).toBe("/repo/scratch-*");
    expect(absoluteGlob("**/tmp", "/repo", "/home/u")).toBe("**/tmp");
  });

  it("that cannot be read are an error naming the file and the entry, not a hook that throws", () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, ".residue.json"), JSON.stringify({ ignore: ["scratch", "[z-a]"] }));
    expect(() => loadControl(sb.home, sb.repo)).toThrow(`${join(sb.repo, ".residue.json")}: ignore[1]: not a valid glob`);
  });
});
