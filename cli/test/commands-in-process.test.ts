// Every command run in-process through the per-run factory (`withServices`): a real repository in a temp
// dir, the real local backend, output captured, launches recorded. The binary end-to-end tests stay; these
// show the commands need no process of their own, and reach what they touch only through the factory.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "./support/harness.ts";
import { residueInProcess } from "./support/in-process.ts";

let sb: Sandbox;
let sessionId: string;
let sha: string;
let transcript: string;

const line = (o: object) => `${JSON.stringify(o)}\n`;

/** A Claude Code transcript stamped now: the agent edits zephyr.ts. */
function writeTranscript(path: string, file: string) {
  const at = (ms: number) => new Date(Date.now() - 50 + ms).toISOString();
  writeFileSync(
    path,
    line({ type: "user", uuid: "u1", parentUuid: null, timestamp: at(0), message: { role: "user", content: "Make zephyr lazy" } }) +
      line({
        type: "assistant",
        uuid: "a1",
        parentUuid: "u1",
        timestamp: at(10),
        message: {
          id: "m1",
          role: "assistant",
          content: [
            { type: "text", text: "Making zephyr lazy." },
            { type: "tool_use", id: "t1", name: "Write", input: { file_path: file, content: "export const zephyr = () => 1;\n" } },
          ],
        },
      }) +
      line({
        type: "user",
        uuid: "r1",
        parentUuid: "a1",
        timestamp: at(20),
        message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
      }) +
      line({
        type: "assistant",
        uuid: "a2",
        parentUuid: "r1",
        timestamp: at(30),
        message: { id: "m2", role: "assistant", content: [{ type: "text", text: "zephyr is lazy now." }] },
      }),
  );
}

beforeAll(async () => {
  sb = new Sandbox();
  transcript = join(sb.dir, "zephyr.jsonl");
});

describe("commands in-process", () => {
  it("init installs the hooks; uninstall removes exactly them", async () => {
    expect((await residueInProcess(sb, ["init"])).status).toBe(0);
    const hook = join(sb.repo, ".git/hooks/post-commit");
    expect(readFileSync(hook, "utf8")).toContain(".residue/journal");
    expect((await residueInProcess(sb, ["uninstall"])).status).toBe(0);
    expect(existsSync(hook)).toBe(false);
    expect((await residueInProcess(sb, ["init"])).status).toBe(0);
  });

  it("session start → commit → status folds the journal and links the session", async () => {
    const start = await residueInProcess(sb, ["session", "start", "--agent", "claude-code", "--data", transcript]);
    expect(start.status, start.stderr).toBe(0);
    sessionId = start.stdout.trim();
    const file = join(sb.repo, "zephyr.ts");
    writeTranscript(transcript, file);
    writeFileSync(file, "export const zephyr = () => 1;\n");
    sb.git("add", "zephyr.ts");
    sb.git("commit", "-qm", "Make zephyr lazy");
    sha = sb.git("rev-parse", "HEAD").trim();
    const status = await residueInProcess(sb, ["status", "--json"]);
    expect(status.status, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.sessions).toMatchObject([{ id: sessionId, agent: "claude-code", status: "open", commits: [sha] }]);
    expect(report.hooks).toEqual({ "post-commit": true, "pre-push": true, "post-rewrite": true });
  });

  it("session end, then push uploads the session and its commit link to the real backend", async () => {
    expect((await residueInProcess(sb, ["session", "end", "--id", sessionId])).status).toBe(0);
    const push = await residueInProcess(sb, ["push", "--json"]);
    expect(push.status, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ uploaded: 1, commits: 1, failed: [] });
    const commit = await sb.api(`/repos/${sb.owner}/widgets/${sha}`);
    expect(commit.status).toBe(200);
    expect(commit.body.commit.sessions.map((s: { id: string }) => s.id)).toEqual([sessionId]);
  });

  it("show, search and why read the record back; open launches the browser with the permalink", async () => {
    const show = await residueInProcess(sb, ["show", "HEAD"]);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toContain("Make zephyr lazy");
    expect(show.stdout).toContain("zephyr is lazy now.");
    const search = await residueInProcess(sb, ["search", "zephyr", "--org", sb.owner, "--json"]);
    expect(search.status, search.stderr).toBe(0);
    expect(JSON.parse(search.stdout).hits.length).toBeGreaterThan(0);
    const why = await residueInProcess(sb, ["why", "zephyr.ts:1"]);
    expect(why.status, why.stderr).toBe(0);
    expect(why.stdout).toContain("Make zephyr lazy");
    const link = `${sb.env.RESIDUE_URL}/app/${sb.owner}/widgets/${sha}`;
    const open = await residueInProcess(sb, ["open", "HEAD"], { env: { BROWSER: "my-browser" } });
    expect(open.stdout.trim()).toBe(link);
    expect(open.launched).toEqual([["my-browser", link]]);
    const desktop = await residueInProcess(sb, ["open", "HEAD"], { env: { BROWSER: undefined }, launches: false });
    expect(desktop.launched).toEqual([["xdg-open", link]]);
    expect(desktop.stderr).toContain("could not start 'xdg-open'; open the link above yourself");
  });

  it("unlink and link correct the record by hand", async () => {
    const unlink = await residueInProcess(sb, ["unlink", "HEAD", sessionId]);
    expect(unlink.status, unlink.stderr).toBe(0);
    expect(unlink.stdout).toContain(`Unlinked session ${sessionId} from ${sha.slice(0, 7)}`);
    const off = await sb.api(`/repos/${sb.owner}/widgets/${sha}`);
    expect(off.body.commit.sessions).toEqual([]);
    const link = await residueInProcess(sb, ["link", "HEAD", sessionId.slice(0, 8)]);
    expect(link.status, link.stderr).toBe(0);
    const on = await sb.api(`/repos/${sb.owner}/widgets/${sha}`);
    expect(on.body.commit.sessions).toMatchObject([{ id: sessionId, reason: { kind: "manual" } }]);
    expect((await residueInProcess(sb, ["show", "HEAD"])).stdout).toContain("   linked: linked by hand\n");
  });

  it("doctor checks hooks, login and backend through the factory", async () => {
    const ok = await residueInProcess(sb, ["doctor", "--json"]);
    expect(ok.status, ok.stdout).toBe(0);
    const down = await residueInProcess(sb, ["doctor"], { env: { RESIDUE_URL: "http://127.0.0.1:9" } });
    expect(down.status).toBe(1);
    expect(down.stdout).toContain("✗ backend reachable");
  });

  it("login checks the token against the server before saving it to the run's home", async () => {
    const env = { RESIDUE_URL: undefined, RESIDUE_TOKEN: undefined };
    const wrong = await residueInProcess(sb, ["login", "--url", sb.env.RESIDUE_URL as string, "--token-stdin"], {
      env,
      input: "not-the-token\n",
    });
    expect(wrong.status).toBe(4);
    expect(existsSync(join(sb.home, ".residue/config"))).toBe(false);
    const right = await residueInProcess(sb, ["login", "--url", sb.env.RESIDUE_URL as string, "--token-stdin"], {
      env,
      input: `${sb.env.RESIDUE_TOKEN}\n`,
    });
    expect(right.status, right.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(sb.home, ".residue/config"), "utf8"))).toMatchObject({ url: sb.env.RESIDUE_URL });
    expect((await residueInProcess(sb, ["status"], { env })).stdout).toContain(`server   ${sb.env.RESIDUE_URL} (from`);
  });

  it("failures are one line with a hint and an exit code, as from the binary", async () => {
    const outside = await residueInProcess(sb, ["status"], { cwd: sb.dir });
    expect(outside.status).toBe(1);
    expect(outside.stderr).toMatch(/^residue: .* is not inside a git repository — cd into your project.s clone/);
    const unknown = await residueInProcess(sb, ["session", "start", "--agent", "nope", "--data", transcript]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown agent 'nope'");
  });

  it("setup, an agent hook, capture, a bounded sync --hook and dismiss", async () => {
    const setup = await residueInProcess(sb, ["setup", "claude-code"]);
    expect(setup.status, setup.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, ".claude/settings.json"), "utf8")).toContain("residue");
    const agentId = "7d1c6a52-3f0e-4b8e-9a41-2c5d8e9f0a11";
    const data = join(sb.dir, `${agentId}.jsonl`);
    const payload = { session_id: agentId, transcript_path: data, cwd: sb.repo, hook_event_name: "SessionStart", source: "startup" };
    const hook = await residueInProcess(sb, ["hook", "claude-code"], { input: JSON.stringify(payload) });
    expect(hook).toMatchObject({ status: 0, stdout: "" });
    writeTranscript(data, join(sb.repo, "gust.ts"));
    writeFileSync(join(sb.repo, "gust.ts"), "export const zephyr = () => 1;\n");
    sb.git("add", "gust.ts");
    sb.git("commit", "-qm", "Gust");
    const capture = await residueInProcess(sb, ["capture"]);
    expect(capture.status, capture.stderr).toBe(0);
    expect(capture.stdout).toMatch(/^[0-9a-f]{12}: linked 1 session\(s\)\n$/);
    const started = Date.now();
    const down = await residueInProcess(sb, ["sync", "--hook"], { env: { RESIDUE_URL: "http://127.0.0.1:9", RESIDUE_HOOK_TIMEOUT: "2" } });
    expect(down.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(down.stderr).toMatch(/^residue: /);
    const queued = JSON.parse((await residueInProcess(sb, ["status", "--json"])).stdout);
    expect(queued.sessions.some((s: { agent: string; commits: string[] }) => s.agent === "claude-code" && s.commits.length === 1)).toBe(
      true,
    );
    expect((await residueInProcess(sb, ["dismiss"])).stdout).toBe("No warnings to dismiss.\n");
  });

  it("the clock is the run's: a session registered 'tomorrow' says so", async () => {
    const tomorrow = Date.now() + 86_400_000;
    const data = join(sb.dir, "tomorrow.jsonl");
    const start = await residueInProcess(sb, ["session", "start", "--agent", "pi", "--data", data], { now: () => tomorrow });
    const state = JSON.parse(readFileSync(join(sb.repo, ".residue/state.json"), "utf8"));
    expect(state.sessions[start.stdout.trim()].started_at).toBe(tomorrow);
  });
});
