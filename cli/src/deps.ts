// What commands touch outside themselves, injected so each command is tested without globals.
import { homedir } from "node:os";
import { basename } from "node:path";
import { redact } from "./redact.ts";
import { escapeForTerminal } from "./terminal/escape.ts";

export interface Deps {
  cwd: string;
  env: Record<string, string | undefined>;
  home: string;
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => number;
  readStdin: () => Promise<string>;
  /** Asks on the terminal without echoing the answer; only when `stdinIsTTY`. */
  promptSecret: (question: string) => Promise<string>;
  isTTY: boolean;
  stdinIsTTY: boolean;
  /** How hooks call this same residue: the compiled binary, or the runtime plus the entry script. */
  selfCommand: string[];
}

async function readAll(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function promptSecret(question: string): Promise<string> {
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
        if (ch === "\u007f" || ch === "\b") answer = answer.slice(0, -1);
        else answer += ch;
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
const printable = (text: string) => escapeForTerminal(redact(text));

export function processDeps(): Deps {
  return {
    cwd: process.cwd(),
    env: process.env,
    home: process.env.HOME || homedir(),
    out: (t) => process.stdout.write(printable(t)),
    err: (t) => process.stderr.write(printable(t)),
    now: Date.now,
    readStdin: readAll,
    promptSecret,
    isTTY: !!process.stderr.isTTY,
    stdinIsTTY: !!process.stdin.isTTY,
    selfCommand: selfCommand(),
  };
}
