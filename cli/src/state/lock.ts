// The state lock: a file naming its holder (pid and process start time). A holder that died (SIGKILL, power
// cut) is recognised at once, even when its pid has been reused, instead of waiting for the lock to age.
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** Only for a lock whose holder cannot be told (an empty or foreign file): taken over once this old. */
const UNREADABLE_STALE_MS = 30_000;

export interface Holder {
  pid: number;
  /** Clock ticks since boot when the process started (/proc/<pid>/stat field 22); null where there is no /proc. */
  start: string | null;
}

export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

export function formatHolder(h: Holder): string {
  return `${h.pid} ${h.start ?? "-"}\n`;
}

export function parseHolder(text: string): Holder | null {
  const [pid, start] = text.trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return null;
  return { pid: n, start: start && start !== "-" ? start : null };
}

export function holderAlive(h: Holder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (h.start === null) return true;
  const now = processStart(h.pid);
  // The same pid with another start time is a new process: the holder is gone.
  return now === null || now === h.start;
}

/** Creates the lock with its content in one step (write a temp file, hard-link it): never an empty lock. */
export function tryCreate(lockPath: string): boolean {
  const temp = `${lockPath}.${process.pid}.new`;
  writeFileSync(temp, formatHolder({ pid: process.pid, start: processStart(process.pid) }));
  try {
    linkSync(temp, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Removes the lock if its holder is dead; true when it did (or the lock vanished meanwhile). */
export function breakIfDead(lockPath: string, ageMs: (path: string) => number | null): boolean {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8");
  } catch {
    return true;
  }
  const holder = parseHolder(text);
  const dead = holder ? !holderAlive(holder) : (ageMs(lockPath) ?? 0) > UNREADABLE_STALE_MS;
  if (!dead) return false;
  // Move it aside first, so of two waiters that both saw it dead only one removes it; if what got moved
  // is a live process's fresh lock, put it back.
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return true;
  }
  const moved = parseHolder(readFileSync(aside, "utf8"));
  if (moved && holderAlive(moved)) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // someone took the lock meanwhile; the live holder will find it gone and fail loudly at worst
    }
  }
  rmSync(aside, { force: true });
  return true;
}
