// Everything a command needs to know about the repo it runs in.
import { join } from "node:path";
import { Git } from "../git/git.ts";
import { StateStore } from "../state/store.ts";

export interface RepoContext {
  git: Git;
  top: string;
  stateDir: string;
  store: StateStore;
}

export class NotARepoError extends Error {
  constructor(dir: string) {
    super(`${dir} is not inside a git repository.`);
  }
}

/** The queue lives in the main work tree's .residue/, shared by its linked worktrees. */
export async function openRepo(cwd: string, now: () => number = Date.now): Promise<RepoContext> {
  const git = new Git(cwd);
  const top = await git.topLevel();
  if (!top) throw new NotARepoError(cwd);
  const stateDir = join(await git.mainTopLevel(), ".residue");
  return { git: new Git(top), top, stateDir, store: new StateStore(stateDir, now) };
}
