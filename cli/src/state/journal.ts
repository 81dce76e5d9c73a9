// The post-commit and post-rewrite hooks only append a line here (no residue process on the commit path);
// the next residue command folds the journal into the queue.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type JournalEntry = { kind: "commit"; sha: string } | { kind: "rewrite"; from: string; to: string; by: "amend" | "rebase" };

export function journalPath(stateDir: string) {
  return join(stateDir, "journal");
}

/** The entries, and whether any line was unreadable (a torn write, garbage): then an entry may be lost. */
export function parseJournal(text: string): { entries: JournalEntry[]; damaged: boolean } {
  const entries: JournalEntry[] = [];
  let damaged = false;
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === "commit" && isSha(parts[1])) entries.push({ kind: "commit", sha: parts[1] });
    else if (parts[0] === "rewrite" && isSha(parts[1]) && isSha(parts[2])) {
      entries.push({ kind: "rewrite", from: parts[1], to: parts[2], by: parts[3] === "amend" ? "amend" : "rebase" });
    } else if (line.trim()) damaged = true;
  }
  return { entries, damaged };
}

function isSha(s: string | undefined): s is string {
  return !!s && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s);
}

/**
 * Moves the journal aside and returns its entries; hooks that run meanwhile append to a fresh file.
 * Call under the state lock, and call `done()` once the entries are saved in the state: a crash in between
 * leaves `journal.folding`, which the next fold reads first, so no entry is lost.
 */
export function takeJournal(stateDir: string): { entries: JournalEntry[]; damaged: boolean; done(): void } {
  const path = journalPath(stateDir);
  const taken = `${path}.folding`;
  let text = existsSync(taken) ? readFileSync(taken, "utf8") : "";
  // Under the lock no one else is taking: a `.taking` file is what a killed fold had moved aside.
  const sources = readdirSync(stateDir)
    .filter((n) => /^journal\.\d+\.taking$/.test(n))
    .map((n) => join(stateDir, n));
  if (existsSync(path)) {
    const fresh = `${path}.${process.pid}.taking`;
    renameSync(path, fresh);
    sources.push(fresh);
  }
  for (const source of sources) {
    // A torn last line must not swallow the next file's first entry.
    text += `${text && !text.endsWith("\n") ? "\n" : ""}${readFileSync(source, "utf8")}`;
    writeFileSync(`${taken}.tmp`, text);
    renameSync(`${taken}.tmp`, taken);
    rmSync(source);
  }
  return { ...parseJournal(text), done: () => rmSync(taken, { force: true }) };
}
