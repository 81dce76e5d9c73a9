// The queue on disk: one JSON file written atomically (temp + rename) under an exclusive lock, so an agent
// ending a session while `git commit` runs never loses an update. A damaged file is moved aside and what it still holds recovered.
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../errors/cli-error.ts";
import { breakIfDead, tryCreate } from "./lock.ts";
import { emptyState, State } from "./model.ts";
import { addNotice } from "./notices.ts";
import { salvageState } from "./salvage.ts";

const LOCK_WAIT_MS = 20_000;

const ageMs = (now: () => number) => (path: string) => {
  try {
    return now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
};

export class StateStore {
  readonly statePath: string;
  readonly lockPath: string;
  readonly previousPath: string;
  /** Set when this process found the file damaged and salvaged it: commits lost with it are re-derived from git. */
  recovered = false;

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.statePath = join(dir, "state.json");
    this.lockPath = join(dir, "state.lock");
    this.previousPath = join(dir, "state.previous.json");
  }

  /** Runs `fn` with the state under the lock and saves it; `onSaved` runs once it is on disk, still under the lock. */
  async update<T>(fn: (state: State) => T | Promise<T>, onSaved?: () => void): Promise<T> {
    return this.withLock(async () => {
      const state = this.read(true);
      const result = await fn(state);
      this.write(state);
      onSaved?.();
      return result;
    });
  }

  /** Runs `fn` with the state under the lock, writing it back only when reading it found it damaged (and salvaged it). */
  async inspect<T>(fn: (state: State) => T): Promise<T> {
    return this.withLock(async () => {
      const wasRecovered = this.recovered;
      const state = this.read(true);
      const result = fn(state);
      if (this.recovered && !wasRecovered) this.write(state);
      return result;
    });
  }

  /** A snapshot for display; does not lock. */
  peek(): State {
    return this.read(false);
  }

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    await this.acquire();
    try {
      return await fn();
    } finally {
      rmSync(this.lockPath, { force: true });
    }
  }

  private async acquire() {
    const deadline = this.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      if (tryCreate(this.lockPath)) return;
      if (breakIfDead(this.lockPath, ageMs(this.now))) continue;
      if (this.now() > deadline)
        throw new CliError(
          `${this.lockPath} is held by a running residue (pid ${this.holderPid()}) for over ${LOCK_WAIT_MS / 1000} s`,
          "try again once it has finished",
        );
      await new Promise((r) => setTimeout(r, Math.min(5 + attempt * 2, 50)));
    }
  }

  private holderPid(): string {
    try {
      return readFileSync(this.lockPath, "utf8").trim().split(" ")[0] ?? "?";
    } catch {
      return "?";
    }
  }

  /**
   * A damaged file is never dropped: whatever sessions and commits it still holds are kept, and a notice
   * says so until the user dismisses it. Only a caller holding the lock moves the damaged file aside.
   */
  private read(locked: boolean): State {
    if (!existsSync(this.statePath)) return emptyState();
    const text = readFileSync(this.statePath, "utf8");
    let reason: string;
    try {
      const parsed = State.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      reason = parsed.error.issues[0]?.message ?? "invalid state";
    } catch (error) {
      reason = `not JSON: ${(error as Error).message}`;
    }
    const movedTo = join(this.dir, `state.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, "-")}.json`);
    if (locked) {
      renameSync(this.statePath, movedTo);
      this.recovered = true;
    }
    const previous = existsSync(this.previousPath) ? readFileSync(this.previousPath, "utf8") : "";
    const recovered = salvageState(previous, text);
    addNotice(recovered.state, {
      key: "state-recovered",
      message: `.residue/state.json was damaged (${reason.slice(0, 80)}); recovered ${recovered.sessions} session(s) and ${recovered.commits} commit(s) from it and the copy before it, the damaged file is kept as ${movedTo}`,
      at: this.now(),
    });
    return recovered.state;
  }

  /** The file as it was before the last write stays as state.previous.json (a hard link: no copy, no gap). */
  private write(state: State) {
    const temp = `${this.statePath}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(state, null, 1)}\n`);
    // No state yet, or it was just moved aside as damaged: the previous copy stays the last good one.
    if (existsSync(this.statePath)) {
      rmSync(this.previousPath, { force: true });
      try {
        linkSync(this.statePath, this.previousPath);
      } catch {
        // a filesystem without hard links: recovery then works from the damaged file alone
      }
    }
    renameSync(temp, this.statePath);
  }
}
