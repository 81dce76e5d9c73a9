// Whether a file setup wrote reaches teammates through git (committed) or stays on this machine (local),
// as git itself decides it; a local file holding this machine's path is kept out of commits.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import type { WiringChange } from "../../agents/spec.ts";
import type { Git } from "../../git/git.ts";

/**
 * Ignores `rel` in this clone only (.git/info/exclude, never the committed .gitignore): the file is this
 * machine's, and teammates' clones need no rule for a file they do not have.
 */
async function excludeLocally(git: Git, rel: string) {
  const out = (await git.run(["rev-parse", "--git-path", "info/exclude"])).trim();
  const exclude = isAbsolute(out) ? out : join(git.cwd, out);
  mkdirSync(dirname(exclude), { recursive: true });
  const text = existsSync(exclude) ? readFileSync(exclude, "utf8") : "";
  appendFileSync(exclude, `${text === "" || text.endsWith("\n") ? "" : "\n"}/${rel}\n`);
  return exclude;
}

/** One line for a change: the file (relative to the repo), what was done, and where it lives for git. */
export async function describeChange(git: Git, top: string, change: WiringChange): Promise<string> {
  const rel = relative(top, change.path).split("\\").join("/");
  let standing: string;
  if (change.local) {
    if (await git.ignores(rel)) standing = "local: git ignores it, this machine only";
    else standing = `local: now ignored through ${relative(top, await excludeLocally(git, rel))}, this machine only`;
  } else if ((await git.tryRun(["ls-files", "--error-unmatch", "--", rel])) !== null) {
    standing = "committed: git tracks it, so teammates get it";
  } else if (await git.ignores(rel)) {
    standing = "local: git ignores it, so teammates will not get it (remove it from .gitignore to share it)";
  } else {
    standing = "to commit: not ignored by git; commit it so teammates get it";
  }
  return `${rel}: ${change.message}\n  (${standing})`;
}
