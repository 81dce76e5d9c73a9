// Putting a downloaded build in place of the running binary: downloaded beside it (same file system, so
// the last step is one rename), checked (size, SHA-256, and that it runs and says the expected version)
// before anything is replaced. Any failure leaves the old binary as it was and no temp file behind.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { CliError } from "../../errors/cli-error.ts";
import type { Pick } from "./release.ts";

const AGAIN = "run `residue upgrade` again; nothing was changed";

/** Streams `url` into `dest`, hashing as it goes; `progress` hears the bytes so far. */
async function download(url: string, dest: string, want: Pick, progress?: (bytes: number) => void): Promise<void> {
  const res = await fetch(url).catch((error: Error) => {
    throw new CliError(`cannot download ${url} (${error.message})`, AGAIN);
  });
  if (!res.ok || !res.body) throw new CliError(`${url} answered HTTP ${res.status}`, AGAIN);
  const hash = createHash("sha256");
  const fd = openSync(dest, "w", 0o600);
  let bytes = 0;
  try {
    for await (const chunk of res.body) {
      writeSync(fd, chunk);
      hash.update(chunk);
      bytes += chunk.byteLength;
      progress?.(bytes);
    }
  } finally {
    closeSync(fd);
  }
  if (bytes !== want.bytes)
    throw new CliError(`${want.file} arrived with ${bytes} bytes, not the ${want.bytes} the server announced`, AGAIN);
  const sha = hash.digest("hex");
  if (sha !== want.sha256) throw new CliError(`${want.file} does not match its SHA-256 (got ${sha}, expected ${want.sha256})`, AGAIN);
}

/** A binary that does not start here, or says another version, is not installed. */
function checkRuns(path: string, version: string) {
  let said: string;
  try {
    said = execFileSync(path, ["--version"], { encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    throw new CliError(`the downloaded build does not run on this machine (${(error as Error).message.split("\n")[0]})`, AGAIN);
  }
  if (said !== version) throw new CliError(`the downloaded build says it is ${said}, not ${version}`, AGAIN);
}

/**
 * A running binary can be renamed over on Unix; Windows refuses to overwrite it but lets it be renamed,
 * so there the old one moves aside first (`<name>.old`, removed by the next upgrade).
 */
function swap(target: string, fresh: string, platform: string) {
  if (platform !== "win32") return renameSync(fresh, target);
  const aside = `${target}.old`;
  rmSync(aside, { force: true });
  renameSync(target, aside);
  try {
    renameSync(fresh, target);
  } catch (error) {
    renameSync(aside, target);
    throw error;
  }
}

export async function installBuild(opts: {
  url: string;
  want: Pick;
  version: string;
  target: string;
  platform: string;
  progress?: (bytes: number) => void;
}): Promise<void> {
  // Beside the target, with its extension: Windows runs only .exe files.
  const fresh = join(dirname(opts.target), `.residue-upgrade-${process.pid}${extname(opts.target)}`);
  try {
    await download(opts.url, fresh, opts.want, opts.progress);
    chmodSync(fresh, 0o755);
    checkRuns(fresh, opts.version);
    swap(opts.target, fresh, opts.platform);
  } finally {
    rmSync(fresh, { force: true });
  }
}
