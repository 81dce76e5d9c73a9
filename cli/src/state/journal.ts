// The post-commit and post-rewrite hooks only append a line here (no residue process on the commit path);
// the next residue command folds the journal into the queue.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * A commit as the post-commit hook saw it: `at` is the wall time in ms (whole seconds, `precise` false, where
 * the shell has neither date's %N nor perl; absent on lines written before the hook recorded it), `parents`
 * in git's order (absent on old lines: then git is asked).
 */
export type CommitEntry = { kind: "commit"; sha: string; at?: number; precise?: boolean; parents?: string[] };
export type JournalEntry = CommitEntry | { kind: "rewrite"; from: string; to: string; by: "amend" | "rebase" };

/** `commit <sha> [<parent>…] [t=<epoch ms or s>]`: old lines are just `commit <sha>`. */
function parseCommit(parts: string[]): CommitEntry | null {
  const [, sha, ...rest] = parts;
  if (!isSha(sha)) return null;
  const entry: CommitEntry = { kind: "commit", sha };
  const parents: string[] = [];
  for (const part of rest) {
    const time = /^t=(\d{10}|\d{13})$/.exec(part)?.[1];
    if (time) {
      entry.precise = time.length === 13;
      entry.at = Number(time) * (entry.precise ? 1 : 1000);
    } else if (isSha(part)) parents.push(part);
    else return null;
  }
  // A root commit has no parents; only a line without the time is one that did not say.
  if (entry.at !== undefined) entry.parents = parents;
  return entry;
}

export function journalPath(stateDir: string) {
  return join(stateDir, "journal");
}

/** The entries, and whether any line was unreadable (a torn write, garbage): then an entry may be lost. */
export function parseJournal(text: string): { entries: JournalEntry[]; damaged: boolean } {
  const entries: JournalEntry[] = [];
  let damaged = false;
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    const commit = parts[0] === "commit" ? parseCommit(parts) : null;
    if (commit) entries.push(commit);
    else if (parts[0] === "rewrite" && isSha(parts[1]) && isSha(parts[2])) {
      entries.push({ kind: "rewrite", from: parts[1], to: parts[2], by: parts[3] === "amend" ? "amend" : "rebase" });
    } else if (line.trim()) damaged = true;
  }
  return { entries, damaged };
}

function isSha(s: string | undefined): s is string {
  return !!s && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s);
}

const TAKEN = /^journal(\.[\w-]+)?\.(folding|taking)$/;

/**
 * Moves the journal aside under a name of its own and returns the entries of every journal moved aside
 * and not yet done with (a fold killed before saving, or one still running: applying an entry twice is
 * harmless); hooks that run meanwhile append to a fresh file. Call `done()` once the entries are saved
 * in the state: it removes exactly the files read, so nothing another fold took later is lost.
 */
export function takeJournal(stateDir: string): { entries: JournalEntry[]; damaged: boolean; done(): void } {
  const path = journalPath(stateDir);
  if (existsSync(path)) renameSync(path, `${path}.${String(Date.now()).padStart(15, "0")}-${process.pid}.folding`);
  // Oldest first: names sort by the time they were taken (older versions' `journal.folding` before all).
  const files = readdirSync(stateDir)
    .filter((n) => TAKEN.test(n))
    .sort((a, b) => Number(a !== "journal.folding") - Number(b !== "journal.folding") || a.localeCompare(b))
    .map((n) => join(stateDir, n));
  let text = "";
  for (const file of files) {
    // A torn last line must not swallow the next file's first entry.
    text += `${text && !text.endsWith("\n") ? "\n" : ""}${readFileSync(file, "utf8")}`;
  }
  return {
    ...parseJournal(text),
    done: () => {
      for (const f of files) rmSync(f, { force: true });
    },
  };
}
