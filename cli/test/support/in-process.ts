// Runs a residue command inside the test process, through the same entry point as the binary, with the
// per-run factory built from a sandbox: real repository, real server, captured terminal, recorded launches.
import { type BaseDeps, printable, withServices } from "../../src/deps.ts";
import { main } from "../../src/main.ts";
import { BINARY, type Run, type Sandbox } from "./harness.ts";

export interface InProcessRun extends Run {
  /** Programs the command started (a browser), with their arguments. */
  launched: string[][];
}

export interface InProcessOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  now?: () => number;
  /** Whether a launched program starts (false: as if the opener is missing). */
  launches?: boolean;
}

export async function residueInProcess(sb: Sandbox, args: string[], opts: InProcessOptions = {}): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  const launched: string[][] = [];
  const base: BaseDeps = {
    cwd: opts.cwd ?? sb.repo,
    env: { ...sb.env, ...opts.env },
    home: sb.home,
    out: (t) => {
      stdout += printable(t);
    },
    err: (t) => {
      stderr += printable(t);
    },
    now: opts.now ?? Date.now,
    readStdin: async () => opts.input ?? "",
    ask: () => Promise.reject(new Error("no terminal in tests")),
    isTTY: false,
    stdinIsTTY: false,
    selfCommand: [BINARY],
    platform: "linux",
    arch: process.arch,
    launch: async (command, commandArgs) => {
      launched.push([command, ...commandArgs]);
      return opts.launches ?? true;
    },
  };
  const status = await main(args, withServices(base));
  return { status, stdout, stderr, launched };
}
