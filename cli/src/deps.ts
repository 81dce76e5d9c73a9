// The per-run factory: everything a command touches outside itself (terminal, environment, clock, the
// repository, the server, other programs), built once per run and injected, so a test runs any command
// in-process against a real repository and server, with its output captured.
import { spawn } from "node:child_process";
import { homedir } from "node:os";
import { basename } from "node:path";
import { requireConfig } from "./config/config.ts";
import { redact } from "./redact.ts";
import { openRepo, type RepoContext } from "./repo/context.ts";
import { claimToday, versionHint } from "./state/version-hint.ts";
import { escapeForTerminal } from "./terminal/escape.ts";
import { ApiClient } from "./upload/api-client.ts";
import { VERSION } from "./version.ts";

/** What a run is given: its terminal, environment and clock. */
export interface BaseDeps {
  cwd: string;
  env: Record<string, string | undefined>;
  home: string;
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => number;
  readStdin: () => Promise<string>;
  /** Asks on the terminal (a secret's answer is not echoed); only when `stdinIsTTY`. */
  ask: (question: string, opts?: { secret?: boolean }) => Promise<string>;
  isTTY: boolean;
  stdinIsTTY: boolean;
  /** How hooks call this same residue: the compiled binary, or the runtime plus the entry script. */
  selfCommand: string[];
  platform: NodeJS.Platform;
  /** The CPU, as `process.arch` names it (which release build runs here). */
  arch: string;
  /** Starts a program that outlives this run (a browser); resolves false when it could not be started. */
  launch: (command: string, args: string[]) => Promise<boolean>;
}

export interface ClientOptions {
  timeoutMs?: number;
  /** Aborts every request when the caller's time is up (the pre-push hook's bound). */
  signal?: AbortSignal;
  /** A login to try instead of the saved one (what `residue login` checks before saving it). */
  login?: { url: string; token: string };
}

/** What a run builds from its base on first use: the repository it works in and the server it talks to. */
export interface Deps extends BaseDeps {
  /** The repository containing `cwd` (default: the run's), opened once per directory and run. */
  repo: (cwd?: string) => Promise<RepoContext>;
  /** A client for the saved login (a CliError saying how to log in when there is none), and its URL. */
  api: (opts?: ClientOptions) => { client: ApiClient; url: string };
}

export function withServices(base: BaseDeps): Deps {
  const repos = new Map<string, Promise<RepoContext>>();
  let versionSeen = false;
  // The first answer of a run decides: one look at the day's marker a run, one line a day at most.
  const onServerVersion = (server: string) => {
    if (versionSeen) return;
    versionSeen = true;
    const hint = versionHint(VERSION, server);
    if (hint && claimToday(base.home, base.now())) base.err(`${hint}\n`);
  };
  return {
    ...base,
    repo(cwd = base.cwd) {
      let repo = repos.get(cwd);
      if (!repo) {
        repo = openRepo(cwd, base.now, base.env, base.home);
        repos.set(cwd, repo);
      }
      return repo;
    },
    api(opts = {}) {
      const config = opts.login ?? requireConfig(base.home, base.env);
      return { client: new ApiClient(config.url, config.token, opts.timeoutMs, opts.signal, onServerVersion), url: config.url };
    },
  };
}

async function readAll(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function ask(question: string, opts: { secret?: boolean } = {}): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let answer = "";
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish();
        if (ch === "\u0003") return finish(new Error("cancelled"));
        if (ch === "\u007f" || ch === "\b") {
          if (!opts.secret && answer) process.stderr.write("\b \b");
          answer = answer.slice(0, -1);
        } else {
          if (!opts.secret) process.stderr.write(ch);
          answer += ch;
        }
      }
    };
    stdin.on("data", onData);
  });
}

export function selfCommand(): string[] {
  const exe = process.execPath;
  const runtime = basename(exe);
  const script = process.argv[1];
  // A `bun build --compile` binary is its own executable; under a runtime, name the entry script too.
  if (!/^(bun|deno|node)(\.exe)?$/.test(runtime) || !script || script.startsWith("/$bunfs")) return [exe];
  return runtime.startsWith("deno") ? [exe, "run", "-A", script] : [exe, script];
}

/** What reaches the terminal: no URL credentials, no control sequences from other people's text. */
export const printable = (text: string) => escapeForTerminal(redact(text));

function launchDetached(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { stdio: "ignore", detached: true });
      child.on("error", () => resolve(false));
      child.on("spawn", () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

/**
 * Writes to a terminal or pipe. A reader that goes away (`residue --help | head`) closes the pipe: the rest
 * of the output is dropped and the command still finishes its work, as git does, instead of dying of EPIPE.
 */
function writerTo(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  const onError = (error: NodeJS.ErrnoException) => {
    // A reader gone, or output after the CLI ended its streams (work abandoned at a hook's deadline): dropped.
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_WRITE_AFTER_END") throw error;
    closed = true;
  };
  stream.on("error", onError);
  return (text) => {
    if (closed || stream.writableEnded) return;
    try {
      stream.write(printable(text));
    } catch (error) {
      onError(error as NodeJS.ErrnoException);
    }
  };
}

export function processDeps(): Deps {
  return withServices({
    cwd: process.cwd(),
    env: process.env,
    home: process.env.HOME || homedir(),
    out: writerTo(process.stdout),
    err: writerTo(process.stderr),
    now: Date.now,
    readStdin: readAll,
    ask,
    isTTY: !!process.stderr.isTTY,
    stdinIsTTY: !!process.stdin.isTTY,
    selfCommand: selfCommand(),
    platform: process.platform,
    arch: process.arch,
    launch: launchDetached,
  });
}
