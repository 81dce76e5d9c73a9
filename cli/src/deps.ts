// What commands touch outside themselves, injected so each command is tested without globals.
import { homedir } from "node:os";
import { basename } from "node:path";
import { escapeForTerminal } from "./terminal/escape.ts";

export interface Deps {
  cwd: string;
  env: Record<string, string | undefined>;
  home: string;
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => number;
  readStdin: () => Promise<string>;
  isTTY: boolean;
  /** How hooks call this same residue: the compiled binary, or the runtime plus the entry script. */
  selfCommand: string[];
}

async function readAll(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function selfCommand(): string[] {
  const exe = process.execPath;
  const runtime = basename(exe);
  const script = process.argv[1];
  // A `bun build --compile` binary is its own executable; under a runtime, name the entry script too.
  if (!/^(bun|deno|node)(\.exe)?$/.test(runtime) || !script || script.startsWith("/$bunfs")) return [exe];
  return runtime.startsWith("deno") ? [exe, "run", "-A", script] : [exe, script];
}

export function processDeps(): Deps {
  return {
    cwd: process.cwd(),
    env: process.env,
    home: process.env.HOME || homedir(),
    out: (t) => process.stdout.write(escapeForTerminal(t)),
    err: (t) => process.stderr.write(escapeForTerminal(t)),
    now: Date.now,
    readStdin: readAll,
    isTTY: !!process.stderr.isTTY,
    selfCommand: selfCommand(),
  };
}
