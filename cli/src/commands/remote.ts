// What the read commands (search, show, open, why) share: the login and this repo's identity.
import { requireConfig } from "../config/config.ts";
import type { Deps } from "../deps.ts";
import { openRepo } from "../repo/context.ts";
import { ApiClient } from "../upload/api-client.ts";
import { repoIdentity } from "../upload/sync.ts";

export function client(deps: Deps) {
  const config = requireConfig(deps.home, deps.env);
  return { api: new ApiClient(config.url, config.token), url: config.url };
}

export async function thisRepo(deps: Deps) {
  const ctx = await openRepo(deps.cwd, deps.now);
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
