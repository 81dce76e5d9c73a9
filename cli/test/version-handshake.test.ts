// The handshake (docs/distribution.md): the CLI names its version on every API request, the server answers
// with its own, and a CLI of another version says so in one line at most once a day.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimToday, versionHint } from "../src/state/version-hint.ts";
import { VERSION } from "../src/version.ts";
import { type Run, Sandbox } from "./support/harness.ts";
import { buildResidueVersion } from "./support/other-version.ts";

const OLD = "0.0.1-old";
let old: string;
beforeAll(() => {
  old = buildResidueVersion(OLD).binary;
}, 120_000);

const HINT = /residue: this CLI is 0\.0\.1-old, the server runs \S+; `residue upgrade` installs the server's build/;

function run(sb: Sandbox, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(old, args, { cwd: sb.repo, env: sb.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

describe("version handshake", () => {
  const seen: (string | undefined)[] = [];
  let server: ReturnType<typeof createServer>;
  let url: string;
  beforeAll(async () => {
    // A plain HTTP server standing in for one answer of the API, to see what the CLI sends.
    server = createServer((req, res) => {
      seen.push(req.headers["x-residue-version"] as string | undefined);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, service: "residue" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it("the CLI names its version on its requests", async () => {
    const sb = new Sandbox();
    const login = await run(sb, ["login", "--url", url, "--token", "t"]);
    expect(login.status, login.stderr).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([OLD]));
  });

  it("a CLI of another version hints once, on stderr only, however many commands follow that day", async () => {
    const sb = new Sandbox();
    const first = await run(sb, ["search", "--json", "anything"]);
    expect(first.status, first.stderr).toBe(0);
    expect(() => JSON.parse(first.stdout)).not.toThrow();
    expect(first.stderr).toMatch(HINT);
    expect(first.stderr.match(/residue upgrade/g)).toHaveLength(1);
    // The rest of the day: silence.
    for (let i = 0; i < 5; i++) expect((await run(sb, ["search", "anything"])).stderr).not.toMatch(/residue upgrade/);
  });

  it("many first runs of the day at once still print the hint exactly once", async () => {
    const sb = new Sandbox();
    const runs = await Promise.all(Array.from({ length: 8 }, () => run(sb, ["search", "--json", "anything"])));
    expect(runs.filter((r) => HINT.test(r.stderr))).toHaveLength(1);
  });

  it("a CLI of the server's version says nothing", () => {
    const sb = new Sandbox();
    const r = sb.residue(["search", "anything"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });
});

describe("the daily marker", () => {
  const day = Date.UTC(2026, 10, 25, 9);
  it("is claimed once a day, and again the next day", () => {
    const home = new Sandbox().home;
    expect(claimToday(home, day)).toBe(true);
    expect(claimToday(home, day + 3_600_000)).toBe(false);
    expect(claimToday(home, day + 86_400_000)).toBe(true);
    expect(readdirSync(join(home, ".residue")).filter((n) => n.startsWith("version-hint-"))).toEqual(["version-hint-2026-11-26"]);
  });

  it("never throws on broken state: it just stays quiet", () => {
    const blocked = new Sandbox().home;
    writeFileSync(join(blocked, ".residue"), "a file where the directory should be");
    expect(claimToday(blocked, day)).toBe(false);
    const odd = new Sandbox().home;
    mkdirSync(join(odd, ".residue/version-hint-2026-11-25"), { recursive: true });
    expect(claimToday(odd, day)).toBe(false);
  });

  it("says nothing when the versions agree", () => {
    expect(versionHint(VERSION, VERSION)).toBeNull();
    expect(versionHint("0.1.0", "0.2.0")).toContain("the server runs 0.2.0");
  });
});
