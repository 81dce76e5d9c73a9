// Secrets stay private: URL credentials never printed or logged, the login token kept off the command
// line, full transcripts readable by their owner only.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { Sandbox, transcriptLines } from "./support/harness.ts";

describe("credentials in URLs", () => {
  it("are redacted from hook output, command errors and .residue/log", () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const p = join(sb.dir, "t.jsonl");
    writeFileSync(p, transcriptLines([new Date()]));
    sb.residue(["session", "start", "--agent", "pi", "--data", p]);
    // A remote residue cannot read (one path segment), with a token in it: its error names the URL.
    const remote = "https://alice:ghp_s3cretTOKEN@github.com/widgets";
    sb.git("remote", "set-url", "origin", remote);
    sb.git("config", `url.${sb.bare}.pushInsteadOf`, remote);
    const outputs = [sb.residue(["push"]), sb.residue(["sync", "--hook"]), sb.residue(["doctor"])];
    sb.git("push", "-q", "origin", "main");
    // A server URL with credentials that cannot be reached: its error names the URL too.
    sb.git("remote", "set-url", "origin", sb.remoteUrl);
    const env = { RESIDUE_URL: "http://bob:hunter2pass@127.0.0.1:9" };
    outputs.push(sb.residue(["push"], { env }), sb.residue(["sync", "--hook"], { env }));
    const everything = [...outputs.flatMap((r) => [r.stdout, r.stderr]), readFileSync(join(sb.repo, ".residue/log"), "utf8")].join("\n");
    expect(everything).toContain("https://***@github.com/widgets");
    expect(everything).toContain("http://***@127.0.0.1:9");
    expect(everything).not.toMatch(/s3cretTOKEN|hunter2pass/);
  });
});

describe("residue login", () => {
  it("reads the token from stdin (--token-stdin or --token -) and says so in --help", () => {
    const sb = new Sandbox();
    sb.env = { ...sb.env, RESIDUE_URL: "", RESIDUE_TOKEN: "" };
    const config = join(sb.home, ".residue/config");
    for (const flag of [["--token-stdin"], ["--token", "-"]]) {
      const run = sb.residue(["login", "--url", inject("baseUrl"), ...flag], { input: `${inject("authToken")}\n` });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(readFileSync(config, "utf8")).token).toBe(inject("authToken"));
    }
    const none = sb.residue(["login", "--url", inject("baseUrl")]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^residue: no token given, .* pipe it in with --token-stdin/);
    const help = sb.residue(["login", "--help"]).stdout;
    expect(help).toContain("--token-stdin");
    expect(help).toMatch(/Prefer stdin or the prompt: a token on the command line shows in `ps`/);
  });

  it("asks for the token on a terminal without echoing it", () => {
    const sb = new Sandbox();
    sb.env = { ...sb.env, RESIDUE_URL: "", RESIDUE_TOKEN: "" };
    // script(1) gives the binary a real terminal; the token is typed after the prompt appears.
    const command = `${sb.command[0]} login --url ${inject("baseUrl")}`;
    const typed = spawnSync("sh", ["-c", `(sleep 1; printf '%s\\r' "$TOKEN") | script -qec "${command}" /dev/null`], {
      env: { ...sb.env, TOKEN: inject("authToken") },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(typed.status, typed.stdout).toBe(0);
    expect(typed.stdout).toContain("API token (not shown):");
    expect(typed.stdout).not.toContain(inject("authToken"));
    expect(JSON.parse(readFileSync(join(sb.home, ".residue/config"), "utf8")).token).toBe(inject("authToken"));
  });
});

describe("snapshots of full transcripts", () => {
  it("are 0600 files in a 0700 directory, repairing a directory made before", () => {
    const sb = new Sandbox();
    sb.residue(["init"]);
    const snapshots = join(sb.repo, ".residue/snapshots");
    mkdirSync(snapshots, { recursive: true, mode: 0o755 });
    chmodSync(snapshots, 0o755);
    writeFileSync(join(snapshots, "old.json"), "{}", { mode: 0o644 });
    const p = join(sb.dir, "t.jsonl");
    writeFileSync(p, transcriptLines([new Date()]));
    const id = sb.residue(["session", "start", "--agent", "pi", "--data", p]).stdout.trim();
    expect(sb.residue(["session", "end", "--id", id]).status).toBe(0);
    expect(statSync(snapshots).mode & 0o777).toBe(0o700);
    const files = readdirSync(snapshots);
    expect(files.some((f) => f.startsWith(id) && f.endsWith(".jsonl.gz"))).toBe(true);
    for (const f of files) expect(statSync(join(snapshots, f)).mode & 0o777, f).toBe(0o600);
  });
});
