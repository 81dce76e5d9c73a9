// The one place that runs git. Commands get a Git for their repo, so tests drive real repos in temp dirs.
import { spawn } from "node:child_process";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { CliError } from "../errors/cli-error.ts";

export interface CommitInfo {
  sha: string;
  message: string;
  author_name: string;
  author_email: string;
  committed_at: number;
  /** In git's order; empty for a root commit. */
  parents: string[];
  files: { path: string; additions: number; deletions: number }[];
}

export class Git {
  constructor(
    readonly cwd: string,
    /** The environment git runs in: the run's own, so a test's HOME and config reach git too. */
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  run(args: string[], input?: string): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn("git", args, {
        cwd: this.cwd,
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...this.env, GIT_TERMINAL_PROMPT: "0" },
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      child.on("error", (e) =>
        reject(new CliError(`could not run git (${e.message})`, "install git, or put it on the PATH", undefined, { cause: e })),
      );
      // Callers that expect a failure (no HEAD yet, no remote) ask first or use tryRun; this is the rest.
      child.on("close", (code) =>
        code === 0
          ? resolvePromise(out)
          : reject(
              new CliError(
                `git ${args[0]} failed: ${err.trim().split("\n")[0] || `exit code ${code}`}`,
                `run \`git ${args.join(" ")}\` to see why`,
              ),
            ),
      );
      // A git that exits before reading its input (a failing command) closes the pipe: its exit status
      // says what went wrong, so the write error (EPIPE) is not one more.
      child.stdin.on("error", () => {});
      child.stdin.end(input ?? "");
    });
  }

  async tryRun(args: string[]): Promise<string | null> {
    try {
      return await this.run(args);
    } catch {
      return null;
    }
  }

  async topLevel(): Promise<string | null> {
    return (await this.tryRun(["rev-parse", "--show-toplevel"]))?.trim() || null;
  }

  async gitDir(): Promise<string> {
    return this.absolute((await this.run(["rev-parse", "--git-dir"])).trim());
  }

  async commonDir(): Promise<string> {
    return this.absolute((await this.run(["rev-parse", "--git-common-dir"])).trim());
  }

  /** Where hooks live: core.hooksPath if set (relative to the work tree top), else the common dir's hooks/. */
  async hooksDir(): Promise<string> {
    const configured = (await this.tryRun(["config", "--get", "core.hooksPath"]))?.trim();
    if (configured) {
      const expanded = configured.replace(/^~(?=\/|$)/, this.env.HOME ?? "~");
      return isAbsolute(expanded) ? expanded : resolve((await this.topLevel()) ?? this.cwd, expanded);
    }
    return join(await this.commonDir(), "hooks");
  }

  /** Whether git ignores `path` (relative to this work tree): a file that is not ignored is one a team may commit. */
  async ignores(path: string): Promise<boolean> {
    return (await this.tryRun(["check-ignore", "-q", "--", path])) !== null;
  }

  /** The main work tree's top, shared by linked worktrees (where the queue lives). */
  async mainTopLevel(): Promise<string> {
    const common = await this.commonDir();
    return common.endsWith("/.git") ? dirname(common) : common;
  }

  async remoteUrl(): Promise<string | null> {
    const remotes = ((await this.tryRun(["remote"])) ?? "").split("\n").filter(Boolean);
    const name = remotes.includes("origin") ? "origin" : remotes[0];
    if (!name) return null;
    return (await this.tryRun(["remote", "get-url", name]))?.trim() || null;
  }

  async branch(): Promise<string | null> {
    return (await this.tryRun(["symbolic-ref", "--quiet", "--short", "HEAD"]))?.trim() || null;
  }

  /** Commits on HEAD made since `sinceMs` that no remote-tracking branch has yet, oldest first. */
  async unpushedSince(sinceMs: number): Promise<string[]> {
    const out = await this.tryRun(["rev-list", "--reverse", `--since=${new Date(sinceMs).toISOString()}`, "HEAD", "--not", "--remotes"]);
    return (out ?? "").split("\n").filter((l) => /^[0-9a-f]{40,64}$/.test(l));
  }

  async commitExists(sha: string): Promise<boolean> {
    return (await this.tryRun(["cat-file", "-e", `${sha}^{commit}`])) !== null;
  }

  async commitInfo(sha: string): Promise<CommitInfo> {
    const meta = await this.run(["show", "-s", "--format=%H%x00%P%x00%an%x00%ae%x00%ct%x00%B", sha]);
    const [full, parents, author_name, author_email, ct, ...message] = meta.split("\0");
    const numstat = await this.run(["show", "--format=", "--numstat", "-z", "--no-renames", sha]);
    return {
      sha: (full ?? sha).trim(),
      author_name: author_name ?? "",
      author_email: author_email ?? "",
      committed_at: Number(ct) * 1000,
      parents: (parents ?? "").split(" ").filter(Boolean),
      message: message.join("\0").trim(),
      files: parseNumstat(numstat),
    };
  }

  private absolute(path: string) {
    return isAbsolute(path) ? path : resolve(this.cwd, path);
  }
}

/** `git show --numstat -z`: "added\tdeleted\tpath\0"; binary files show "-". */
export function parseNumstat(text: string): CommitInfo["files"] {
  return text
    .split("\0")
    .map((record) => record.replace(/^\n+/, ""))
    .filter(Boolean)
    .map((record) => {
      const [added, deleted, ...path] = record.split("\t");
      return { path: path.join("\t"), additions: Number(added) || 0, deletions: Number(deleted) || 0 };
    })
    .filter((f) => f.path);
}
