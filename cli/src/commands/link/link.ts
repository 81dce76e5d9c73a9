// `residue link` / `residue unlink`: a person's correction of which conversations a commit came from. The
// server keeps an unlink through later pushes, so what the hooks link automatically never undoes it.

import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { permalink, thisRepo } from "../remote.ts";

const SESSION_REF = /^[0-9a-f-]{4,36}$/i;
const SHA_REF = /^[0-9a-f]{4,64}$/i;

/** The commit git names by `rev` here; a bare SHA prefix git does not know is left for the server to resolve. */
async function commitSha(git: { tryRun(args: string[]): Promise<string | null> }, rev: string): Promise<string> {
  const sha = (await git.tryRun(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]))?.trim();
  if (sha) return sha;
  if (SHA_REF.test(rev)) return rev.toLowerCase();
  throw new CliError(`git knows no commit '${rev}' in this repo`, "give a SHA or a revision such as HEAD~1", EXIT.usage);
}

async function changeLink(rev: string, session: string, link: boolean, deps: Deps) {
  if (!SESSION_REF.test(session))
    throw new CliError(
      `'${session}' is not a session id`,
      "give the session's id or at least its first 4 characters (the permalink, `residue show` and `residue status` print them)",
      EXIT.usage,
    );
  const { ctx, repo } = await thisRepo(deps);
  const { client: api, url } = deps.api();
  // Asked first so a missing repo or commit reads as such, not as a missing session.
  const { commit } = await api.commit(repo.owner, repo.name, await commitSha(ctx.git, rev), repo.host);
  const change = await api.setLink(repo, commit.sha, session, link);
  const pair = `session ${change.session_id} ${link ? "to" : "from"} ${commit.sha.slice(0, 7)} ${commit.message.split("\n", 1)[0]}`;
  if (link) deps.out(change.changed ? `Linked ${pair} (by hand).\n` : `Already linked by hand: ${pair}.\n`);
  else deps.out(`${change.changed ? "Unlinked" : "Was not linked:"} ${pair}; later pushes keep it off (\`residue link\` undoes this).\n`);
  deps.out(`${permalink(url, repo, commit.sha, link ? `s-${change.session_id}` : null)}\n`);
}

export const runLink = (rev: string, session: string, deps: Deps) => changeLink(rev, session, true, deps);
export const runUnlink = (rev: string, session: string, deps: Deps) => changeLink(rev, session, false, deps);
