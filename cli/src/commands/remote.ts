// What the read commands (search, show, open, why) share: the login and this repo's identity.
import type { Deps } from "../deps.ts";
import { repoIdentity } from "../upload/sync.ts";

export async function thisRepo(deps: Deps) {
  const ctx = await deps.repo();
  return { ctx, repo: await repoIdentity(ctx) };
}

export async function fullSha(deps: Deps, rev: string): Promise<string> {
  const { ctx } = await thisRepo(deps);
  const sha = await ctx.git.tryRun(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  // Not in this clone (e.g. someone else's commit): let the server resolve the prefix.
  return sha?.trim() || rev.toLowerCase();
}

export function permalink(url: string, repo: { owner: string; name: string }, sha: string, anchor?: string | null) {
  return `${url}/app/${repo.owner}/${repo.name}/${sha}${anchor ? `#${anchor}` : ""}`;
}
