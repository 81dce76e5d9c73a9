// The queue on disk: one JSON file written atomically (temp + rename) under an exclusive lock, so an agent
// ending a session while `git commit` runs never loses an update. A corrupt file is moved aside, never dropped.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emptyState, State } from "./model.ts";

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 20_000;

export interface StateWarning {
  movedTo: string;
  reason: string;
}

export class StateStore {
  readonly statePath: string;
  readonly lockPath: string;
  warnings: StateWarning[] = [];

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.statePath = join(dir, "state.json");
    this.lockPath = join(dir, "state.lock");
  }

  /** Runs `fn` with the state under the lock and saves what it returns. */
  async update<T>(fn: (state: State) => T | Promise<T>): Promise<T> {
    return this.withLock(async () => {
      const state = this.read();
      const result = await fn(state);
      this.write(state);
      return result;
    });
  }

  /** A snapshot for display; does not lock. */
  peek(): State {
    return this.read();
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
      try {
        closeSync(openSync(this.lockPath, "wx"));
        writeFileSync(this.lockPath, `${process.pid}\n`);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      // A lock left by a killed process is taken over once it is old enough.
      try {
        if (this.now() - statSync(this.lockPath).mtimeMs > LOCK_STALE_MS) rmSync(this.lockPath, { force: true });
      } catch {
        // released meanwhile
      }
      if (this.now() > deadline) throw new Error(`could not lock ${this.lockPath} within ${LOCK_WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, Math.min(5 + attempt * 2, 50)));
    }
  }

  private read(): State {
    if (!existsSync(this.statePath)) return emptyState();
    const text = readFileSync(this.statePath, "utf8");
    let reason: string;
    try {
      const parsed = State.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      reason = parsed.error.issues[0]?.message ?? "invalid state";
    } catch (error) {
      reason = `not JSON (${(error as Error).message})`;
    }
    const movedTo = join(this.dir, `state.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, "-")}.json`);
    renameSync(this.statePath, movedTo);
    this.warnings.push({ movedTo, reason });
    return emptyState();
  }

  private write(state: State) {
    const temp = `${this.statePath}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(state, null, 1)}\n`);
    renameSync(temp, this.statePath);
  }
}
