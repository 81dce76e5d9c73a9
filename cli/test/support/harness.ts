// Real git repos in temp dirs, driven through the compiled residue binary against the local backend.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { inject } from "vitest";
import { shellQuote } from "../../src/hooks/blocks.ts";

export const ROOT = resolve(import.meta.dirname, "../../..");
/** RESIDUE_TEST_BINARY runs the suites against another build, e.g. to see a test fail before its fix. */
export const BINARY = process.env.RESIDUE_TEST_BINARY ?? join(ROOT, "dist/residue");

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), "residue-cli-"));
  readonly home = join(this.dir, "home");
  readonly repo = join(this.dir, "repo");
  readonly bare = join(this.dir, "remote.git");
  readonly owner = `org-${randomUUID().slice(0, 8)}`;
  readonly remoteUrl = `git@github.com:${this.owner}/widgets.git`;
  env: Record<string, string>;
  /** The command hooks use; tests may point it at `deno run` instead of the binary. */
  command: string[] = [BINARY];

  constructor(serverUrl = inject("baseUrl"), token = inject("authToken")) {
    mkdirSync(this.home, { recursive: true });
    this.env = {
      PATH: process.env.PATH ?? "",
      HOME: this.home,
      RESIDUE_URL: serverUrl,
      RESIDUE_TOKEN: token,
      GIT_AUTHOR_NAME: "Dev One",
      GIT_AUTHOR_EMAIL: "dev@example.com",
      GIT_COMMITTER_NAME: "Dev One",
      GIT_COMMITTER_EMAIL: "dev@example.com",
      GIT_CONFIG_NOSYSTEM: "1",
    };
    execFileSync("git", ["init", "-q", "--bare", this.bare]);
    execFileSync("git", ["init", "-q", "-b", "main", this.repo]);
    this.git("remote", "add", "origin", this.remoteUrl);
    // Pushes really happen, to a local bare repo, while the remote URL still names a GitHub repo.
    this.git("config", `url.${this.bare}.pushInsteadOf`, this.remoteUrl);
    writeFileSync(join(this.repo, "README.md"), "# widgets\n");
    this.git("add", ".");
    this.git("commit", "-qm", "initial");
  }

  /**
   * Puts a `residue` that runs this sandbox's command first on its PATH, as an installed residue would be:
   * what committed agent wiring needs to do anything. Returns the directory.
   */
  putResidueOnPath(): string {
    const bin = join(this.dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "residue"), `#!/bin/sh\nexec ${this.command.map(shellQuote).join(" ")} "$@"\n`, { mode: 0o755 });
    this.env.PATH = `${bin}${delimiter}${this.env.PATH}`;
    return bin;
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.repo, env: { ...this.env }, encoding: "utf8" });
  }

  gitAt(date: Date, ...args: string[]): string {
    const stamp = `${Math.floor(date.getTime() / 1000)} +0000`;
    return execFileSync("git", args, {
      cwd: this.repo,
      env: { ...this.env, GIT_COMMITTER_DATE: stamp, GIT_AUTHOR_DATE: stamp },
      encoding: "utf8",
    });
  }

  residue(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Run {
    const [cmd, ...pre] = this.command;
    const r = spawnSync(cmd as string, [...pre, ...args], {
      cwd: opts.cwd ?? this.repo,
      env: { ...this.env, ...opts.env },
      input: opts.input ?? "",
      encoding: "utf8",
      timeout: 60_000,
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  residueAsync(args: string[]): Promise<Run> {
    const [cmd, ...pre] = this.command;
    return new Promise((resolvePromise) => {
      const child = spawn(cmd as string, [...pre, ...args], { cwd: this.repo, env: this.env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (status) => resolvePromise({ status: status ?? -1, stdout, stderr }));
    });
  }

  edit(file: string, text: string) {
    appendFileSync(join(this.repo, file), text);
    this.git("add", file);
  }

  /**
   * GET from the backend. spawnSync blocks this process while git and its hooks run, so a pooled keep-alive
   * socket the server closed meanwhile can fail once; an idempotent GET is simply sent again.
   */
  async get(path: string): Promise<Response> {
    const url = `${this.env.RESIDUE_URL}/api${path}`;
    const init = { headers: { authorization: `Bearer ${this.env.RESIDUE_TOKEN}` } };
    try {
      return await fetch(url, init);
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw error;
      return fetch(url, init);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary response JSON
  async api(path: string): Promise<{ status: number; body: Record<string, any> }> {
    const res = await this.get(path);
    return { status: res.status, body: await res.json() };
  }

  /** A session's transcript as stored (the API serves it gzip-encoded; fetch inflates it). */
  async rawSession(id: string): Promise<Buffer> {
    const res = await this.get(`/sessions/${id}`);
    if (res.status !== 200) throw new Error(`GET /api/sessions/${id} answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }
}

/** A transcript in Claude Code's shape, one line per message, stamped at the given times. */
export function transcriptLines(times: Date[], from = 0): string {
  return times
    .map((t, i) =>
      JSON.stringify({
        type: i % 2 === 0 ? "user" : "assistant",
        uuid: randomUUID(),
        timestamp: t.toISOString(),
        message: {
          role: i % 2 === 0 ? "user" : "assistant",
          content: i === 0 && from === 0 ? "Fix the widget parser" : `message ${from + i}`,
        },
      }),
    )
    .map((l) => `${l}\n`)
    .join("");
}

/** A Claude Code assistant line whose Edit tool call wrote `file` (an absolute path, as the agent writes it). */
export function editLine(file: string, at: Date): string {
  const id = randomUUID();
  const content = [{ type: "tool_use", id, name: "Edit", input: { file_path: file, old_string: "", new_string: "x" } }];
  return `${JSON.stringify({ type: "assistant", uuid: randomUUID(), timestamp: at.toISOString(), message: { id, role: "assistant", content } })}\n`;
}

export const seconds = (base: Date, s: number) => new Date(base.getTime() + s * 1000);

/**
 * Now, a few milliseconds on: the post-commit hook records each commit's wall time in milliseconds, so a
 * line stamped with this after a commit is surely after it (and one stamped before, before it).
 */
export function stamp(): Date {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3);
  return new Date();
}

/** `residue push --json` in the sandbox, its answer parsed; a failed run throws with its stderr. */
export function pushJson(sb: Sandbox) {
  const run = sb.residue(["push", "--json"]);
  if (run.status !== 0) throw new Error(`residue push failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Commits a change to widgets.ts with `message`; its sha. */
export function commitWidgets(sb: Sandbox, message: string) {
  sb.edit("widgets.ts", `// ${message}\n`);
  sb.git("commit", "-qm", message);
  return sb.git("rev-parse", "HEAD").trim();
}
