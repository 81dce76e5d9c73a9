// Every way a command commonly fails, through the real binary: one line on stderr saying what went wrong and
// what to do, the exit code the failure is designed to have, and no stack trace unless RESIDUE_DEBUG=1.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError, failureReport } from "../src/errors/cli-error.ts";
import { type Run, Sandbox, transcriptLines } from "./support/harness.ts";

/** A port nothing listens on: bound by the OS, then released. */
function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** A session queued from a transcript that is readable now. */
function queueSession(sb: Sandbox, name = "t.jsonl"): string {
  const path = join(sb.dir, name);
  writeFileSync(path, transcriptLines([new Date()]));
  const start = sb.residue(["session", "start", "--agent", "claude-code", "--data", path]);
  expect(start.status, start.stderr).toBe(0);
  return path;
}

interface Case {
  name: string;
  /** Prepares the failure and runs the command. */
  run: (sb: Sandbox) => Run;
  exit: number;
  /** What the one line says went wrong, and what its hint says to do. */
  message: RegExp;
  hint: RegExp;
}

let downUrl: string;
beforeAll(async () => {
  downUrl = `http://127.0.0.1:${await freePort()}`;
});

const cases: Case[] = [
  {
    name: "no commit yet",
    run: (sb) => {
      const fresh = join(sb.dir, "fresh");
      execFileSync("git", ["init", "-q", fresh]);
      return sb.residue(["capture"], { cwd: fresh });
    },
    exit: 1,
    message: /no commit yet/,
    hint: /commit first, then run `residue capture`/,
  },
  {
    name: "no remote",
    run: (sb) => {
      sb.git("remote", "remove", "origin");
      queueSession(sb);
      return sb.residue(["push"]);
    },
    exit: 1,
    message: /no git remote/,
    hint: /git remote add origin URL/,
  },
  {
    name: "file:// remote",
    run: (sb) => {
      sb.git("remote", "set-url", "origin", `file://${sb.bare}`);
      queueSession(sb);
      return sb.residue(["push"]);
    },
    exit: 1,
    message: /cannot tell the repo's host\/owner\/name from its remote URL 'file:\/\//,
    hint: /git remote set-url origin/,
  },
  {
    name: "detached HEAD, its commit not pushed yet",
    run: (sb) => {
      sb.git("commit", "-q", "--allow-empty", "-m", "second");
      sb.git("checkout", "-q", "--detach", "HEAD");
      return sb.residue(["show"]);
    },
    exit: 1,
    message: /commit [0-9a-f]{12} of org-\w+\/widgets is not on http/,
    hint: /git push/,
  },
  {
    name: "bare repo",
    run: (sb) => sb.residue(["init"], { cwd: sb.bare }),
    exit: 1,
    message: /remote\.git is a bare repository/,
    hint: /clone with a work tree/,
  },
  {
    name: "not logged in",
    run: (sb) => sb.residue(["search", "widget"], { env: { RESIDUE_URL: "", RESIDUE_TOKEN: "" } }),
    exit: 4,
    message: /not logged in/,
    hint: /residue login --url URL/,
  },
  {
    name: "server down",
    run: (sb) => sb.residue(["search", "widget"], { env: { RESIDUE_URL: downUrl } }),
    exit: 1,
    message: /cannot reach http:\/\/127\.0\.0\.1:\d+/,
    hint: /is the server running/,
  },
  {
    name: "wrong token",
    run: (sb) => sb.residue(["search", "widget"], { env: { RESIDUE_TOKEN: "wrong" } }),
    exit: 4,
    message: /rejected the token \(HTTP 401/,
    hint: /residue login --url URL/,
  },
  {
    name: "unknown agent",
    run: (sb) => sb.residue(["session", "start", "--agent", "nope", "--data", join(sb.dir, "t.jsonl")]),
    exit: 2,
    message: /unknown agent 'nope'/,
    hint: /claude-code, pi, codex, gemini, opencode/,
  },
  {
    name: "transcript is a directory",
    run: (sb) => sb.residue(["session", "start", "--agent", "claude-code", "--data", sb.dir]),
    exit: 2,
    message: /is a directory, not a transcript file/,
    hint: /the agent's transcript file/,
  },
  {
    name: "transcript unreadable at push (now a directory)",
    run: (sb) => {
      const path = queueSession(sb);
      rmSync(path);
      mkdirSync(path);
      return sb.residue(["push"]);
    },
    exit: 1,
    message: /1 session\(s\) not uploaded, first \w+: cannot read the claude-code transcript .*t\.jsonl/,
    hint: /make it a readable file again .*details in \.residue\/log/,
  },
  {
    name: "transcript path under a file",
    run: (sb) => sb.residue(["session", "start", "--agent", "pi", "--data", join(sb.repo, "README.md", "t.jsonl")]),
    exit: 2,
    message: /README\.md\/t\.jsonl cannot be a file \(ENOTDIR/,
    hint: /the agent's transcript file/,
  },
];

describe("failures print one line with a hint", () => {
  it.each(cases)("$name", ({ run, exit, message, hint }) => {
    const r = run(new Sandbox());
    expect(r.status, r.stderr).toBe(exit);
    const lines = r.stderr.split("\n");
    expect(lines, r.stderr).toHaveLength(2); // one line and its newline
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    const [, what, todo] = /^residue: (.+) — (.+)$/.exec(lines[0] as string) ?? [];
    expect(what, r.stderr).toMatch(message);
    expect(todo, r.stderr).toMatch(hint);
  });

  it("prints the stack too with RESIDUE_DEBUG=1", () => {
    const sb = new Sandbox();
    sb.git("remote", "remove", "origin");
    const r = sb.residue(["push"], { env: { RESIDUE_DEBUG: "1" } });
    expect(r.status).toBe(1);
    const [first, ...rest] = r.stderr.split("\n");
    expect(first).toMatch(/^residue: .*no git remote.* — add one/);
    expect(rest[0]).toMatch(/^CliError: this repo has no git remote/);
    expect(rest.filter((l) => /^ {4}at /.test(l)).length).toBeGreaterThan(0);
  });

  it("a detached HEAD is no failure: capture links to it and push uploads", () => {
    const sb = new Sandbox();
    sb.git("checkout", "-q", "--detach", "HEAD");
    queueSession(sb);
    sb.git("commit", "-q", "--allow-empty", "-m", "detached work");
    for (const args of [["capture"], ["push"]]) {
      const r = sb.residue(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
    }
  });
});

/**
 * Not the app: a server that fails, or speaks another version of the protocol. It runs in its own process,
 * since spawnSync blocks this one while the binary waits for the answer.
 */
const WRONG_SERVER = `
  const server = require("node:http").createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url.startsWith("/api/search?q=crash")) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: { code: "internal", message: "D1 is down" } }));
    } else res.end(JSON.stringify({ hits: "not a list" }));
  });
  server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;

describe("a server that answers wrongly", () => {
  let server: ChildProcess;
  let url: string;
  beforeAll(async () => {
    server = spawn(process.execPath, ["-e", WRONG_SERVER]);
    const [port] = (await once(server.stdout as Readable, "data")) as [Buffer];
    url = `http://127.0.0.1:${port.toString().trim()}`;
  });
  afterAll(() => {
    server.kill();
  });

  it.each([
    ["HTTP 5xx", "crash", /failed \(HTTP 500: D1 is down\) — try again; if it keeps failing, the server's logs say why$/],
    [
      "a reply of another shape",
      "widget",
      /answered \/search in a shape this residue does not know \(hits: .*\) — update residue and the server/,
    ],
  ])("%s", (_name, query, line) => {
    const r = new Sandbox().residue(["search", query], { env: { RESIDUE_URL: url } });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.split("\n"), r.stderr).toHaveLength(2);
    expect(r.stderr.trimEnd()).toMatch(line);
  });
});

describe("the report main prints", () => {
  it("names an error residue did not expect as such, on one line", () => {
    const report = failureReport(new TypeError("x is not a function\n  in y"), false);
    expect(report).toEqual({
      exitCode: 1,
      text: "residue: unexpected error: x is not a function in y (run with RESIDUE_DEBUG=1 for details)\n",
    });
  });

  it("with RESIDUE_DEBUG=1, follows the stack down the causes", () => {
    const cause = new Error("EISDIR: illegal operation on a directory");
    const { text } = failureReport(new CliError("cannot read t.jsonl", "make it readable", 1, { cause }), true);
    expect(text.split("\n")[0]).toBe("residue: cannot read t.jsonl — make it readable");
    expect(text).toMatch(/^CliError: cannot read t\.jsonl\n {4}at /m);
    expect(text).toMatch(/^caused by: Error: EISDIR: illegal operation on a directory\n {4}at /m);
  });
});
