// Details of what hooks did go to .residue/log (rotated), so a hook prints at most one short line.
import { appendFileSync, mkdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { redact } from "../redact.ts";

const MAX_LOG_BYTES = 512 * 1024;

export function appendLog(stateDir: string, message: string, now = Date.now()) {
  try {
    mkdirSync(stateDir, { recursive: true });
    const path = join(stateDir, "log");
    try {
      if (statSync(path).size > MAX_LOG_BYTES) renameSync(path, `${path}.1`);
    } catch {
      // no log yet
    }
    appendFileSync(path, `${new Date(now).toISOString()} [${process.pid}] ${redact(message).replace(/\n/g, "\n    ")}\n`);
  } catch {
    // Logging must never be the reason a hook fails.
  }
}
