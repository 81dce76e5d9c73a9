// Everything a command needs to know about the repo it runs in.
import { join } from "node:path";
import { type Control, loadControl, repoRootOf } from "../config/control.ts";
import { CliError } from "../errors/cli-error.ts";
import { Git } from "../git/git.ts";
import { StateStore } from "../state/store.ts";

export interface RepoContext {
  git: Git;
  top: string;
  stateDir: string;
  store: StateStore;
  /** The user's and the team's rules (redaction, ignore), read when asked: a command may change them mid-run. */
  control: () => Control;
}

/** The queue lives in the main work tree's .residue/, shared by its linked worktrees. */
export async function openRepo(
  cwd: string,
  now: () => number,
  env: Record<string, string | undefined>,
  home: string,
): Promise<RepoContext> {
  const git = new Git(cwd, env);
  const top = await git.topLevel();
  if (!top) {
    // A bare repository is a repository, but no agent works in it and no commit is made there.
    if ((await git.tryRun(["rev-parse", "--is-bare-repository"]))?.trim() === "true")
      throw new CliError(`${cwd} is a bare repository (no work tree)`, "run residue in a clone with a work tree (git clone)");
    throw new CliError(`${cwd} is not inside a git repository`, "cd into your project's clone (or run `git init` there)");
  }
  const stateDir = join(await git.mainTopLevel(), ".residue");
  return {
    git: new Git(top, env),
    top,
    stateDir,
    store: new StateStore(stateDir, now),
    control: () => loadControl(home, repoRootOf(stateDir)),
  };
}
