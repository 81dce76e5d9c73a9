// Runs one of the project's own tools (node_modules/.bin) to completion: its output is collected for the
// error that names the failed command, and streamed to `onOutput` when the caller shows it.
import { spawn } from "node:child_process";
import { basename } from "node:path";

export interface ToolOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  onOutput?: (chunk: string) => void;
}

/** Resolves with the tool's stdout once it exits 0; rejects with its whole output otherwise. */
export function runTool(bin: string, args: string[], opts: ToolOptions): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
      opts.onOutput?.(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
      opts.onOutput?.(d.toString());
    });
    child.on("error", reject);
    // "close", not "exit": only then has all of its output been read (callers parse stdout).
    child.on("close", (code, signal) =>
      code === 0
        ? resolvePromise(stdout)
        : reject(new Error(`${basename(bin)} ${args.join(" ")} failed (${signal ? `killed by ${signal}` : `exit ${code}`}):\n${output}`)),
    );
  });
}
