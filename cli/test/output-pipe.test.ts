// Output through a pipe whose reader is slower than the CLI writes arrives whole: the compiled binary
// used to exit while megabytes of `--json` were still unread, cutting them short with exit code 0.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { BINARY } from "./support/harness.ts";

/** Runs the binary and reads its stdout in pauses, as a busy consumer does. */
function readSlowly(args: string[], cwd: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BINARY, args, { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd } });
    const chunks: Buffer[] = [];
    let unpaused = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      unpaused += chunk.length;
      if (unpaused < 64 * 1024) return;
      unpaused = 0;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 30);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(chunks).toString("utf8") }));
  });
}

it("a slow pipe reader gets all of a multi-megabyte --json answer", async () => {
  const dir = mkdtempSync(join(tmpdir(), "residue-pipe-"));
  execFileSync("git", ["init", "-q", dir]);
  // Each line holds a token the redaction rules find: every hit is a few hundred bytes of JSON.
  const lines = Array.from({ length: 8_000 }, () => {
    const token = randomBytes(27).toString("base64").replace(/[+/]/g, "a").slice(0, 36);
    return `${JSON.stringify({ type: "user", text: `token ghp_${token} here` })}\n`;
  });
  writeFileSync(join(dir, "big.jsonl"), lines.join(""));

  const { code, stdout } = await readSlowly(["redact", "--dry-run", "--all", "--json", "big.jsonl"], dir);

  expect(code).toBe(0);
  expect(stdout.length).toBeGreaterThan(1_000_000);
  const report = JSON.parse(stdout) as { sessions: { total: number }[] };
  expect(report.sessions[0]?.total).toBe(8_000);
}, 60_000);
