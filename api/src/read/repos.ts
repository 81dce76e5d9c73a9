// Orgs and repos by the path that names them, for GET /api/repos/<path>, /api/orgs/<org>/repos and /app/<path>.

import { RepoName, RepoOwner, ShaPrefix } from "@residue/protocol";
import { findRepos, listOwners, listReposOfOwner, type RepoRow } from "../db/repos.ts";
import { type AmbiguousRepo, type Missing, missing } from "./outcome.ts";

type RepoOutcome = { kind: "found"; repo: RepoRow } | AmbiguousRepo | Missing;

/** One repo by owner path and name; a host picks among repos that share the name on several hosts. */
async function readRepo(db: D1Database, owner: string, name: string, host?: string): Promise<RepoOutcome> {
  if (!RepoOwner.safeParse(owner).success || !RepoName.safeParse(name).success) return missing("repo");
  const repos = await findRepos(db, owner, name, host);
  if (repos.length > 1) return { kind: "ambiguous", what: "repo", owner, name, hosts: repos.map((r) => r.host) };
  return repos[0] ? { kind: "found", repo: repos[0] } : missing("repo");
}

export type PathOutcome = { kind: "repo"; repo: RepoRow } | { kind: "commit"; repo: RepoRow; sha: string } | AmbiguousRepo | Missing;

/**
 * The org may be a GitLab subgroup path, so a path cannot tell owner, name and SHA apart by position alone:
 * the whole path is a repo if one exists by that name, else its last segment is a commit SHA of the repo
 * the segments before it name.
 */
export async function readRepoPath(db: D1Database, segments: string[], host?: string): Promise<PathOutcome> {
  if (segments.length >= 2) {
    const whole = await readRepo(db, segments.slice(0, -1).join("/"), segments.at(-1) as string, host);
    if (whole.kind === "found") return { kind: "repo", repo: whole.repo };
    if (whole.kind === "ambiguous") return whole;
  }
  const sha = segments.at(-1) as string;
  if (segments.length >= 3 && ShaPrefix.safeParse(sha).success) {
    const parent = await readRepo(db, segments.slice(0, -2).join("/"), segments.at(-2) as string, host);
    if (parent.kind === "found") return { kind: "commit", repo: parent.repo, sha: sha.toLowerCase() };
    if (parent.kind === "ambiguous") return parent;
  }
  return missing("repo");
}

export type OrgOutcome = { kind: "found"; owner: string; repos: RepoRow[] } | Missing;

/** An org is known once one of its repos has been pushed. */
export async function readOrg(db: D1Database, owner: string, host?: string): Promise<OrgOutcome> {
  const repos = RepoOwner.safeParse(owner).success ? await listReposOfOwner(db, owner, host) : [];
  return repos.length > 0 ? { kind: "found", owner, repos } : missing("org");
}

export const readOrgs = listOwners;
