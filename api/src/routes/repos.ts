import { Hono } from "hono";
import { z } from "zod";
import { type CommitCursor, commitFiles, findCommitsByPrefix, listCommits } from "../db/commits.ts";
import { findRepos, listOwners, listReposOfOwner, type RepoRow, repoInfo } from "../db/repos.ts";
import type { ApiEnv } from "../env.ts";
import { parseWith } from "../http/body.ts";
import { ApiError } from "../http/errors.ts";
import { RepoHost, RepoName, RepoOwner, ShaPrefix } from "../protocol/schemas.ts";

export const repoRoutes = new Hono<ApiEnv>();
export const orgRoutes = new Hono<ApiEnv>();

const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  host: RepoHost.optional(),
});

const Cursor = z.tuple([z.number().int(), z.string().regex(/^[0-9a-f]{40,64}$/)]);

function encodeCursor(c: CommitCursor): string {
  return btoa(JSON.stringify([c.committedAt, c.sha]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decodeCursor(raw: string): CommitCursor {
  try {
    const [committedAt, sha] = Cursor.parse(JSON.parse(atob(raw.replace(/-/g, "+").replace(/_/g, "/"))));
    return { committedAt, sha };
  } catch {
    throw new ApiError(400, "invalid_cursor", "The cursor is not one this server returned.");
  }
}

/** One repo by owner path and name; a host picks among repos that share the name on several hosts. */
async function resolveRepo(db: D1Database, owner: string, name: string, host?: string): Promise<RepoRow | null> {
  const repos = await findRepos(db, owner, name, host);
  if (repos.length > 1) {
    const hosts = repos.map((r) => r.host).join(", ");
    throw new ApiError(409, "ambiguous_repo", `${owner}/${name} exists on several hosts (${hosts}); add ?host=<one of them>.`);
  }
  return repos[0] ?? null;
}

function validOwner(owner: string) {
  return parseWith(RepoOwner, owner, "invalid_org");
}

// The org may be a GitLab subgroup path, so the route cannot tell owner, name and SHA apart by position
// alone: the whole path is a repo if one exists by that name, else its last segment is a commit SHA.
repoRoutes.get("/:path{.+}", async (c) => {
  const segments = c.req.param("path").split("/").filter(Boolean);
  const query = parseWith(PageQuery, c.req.query(), "invalid_query");
  const db = c.get("env").DB;
  if (segments.length < 2) throw new ApiError(400, "invalid_repo", "Name a repo as /api/repos/<org>/<repo>.");

  const name = segments.at(-1) as string;
  const asRepo = RepoName.safeParse(name).success && RepoOwner.safeParse(segments.slice(0, -1).join("/")).success;
  const repo = asRepo ? await resolveRepo(db, segments.slice(0, -1).join("/"), name, query.host) : null;
  if (repo) {
    const { commits, next } = await listCommits(db, repo.id, query.limit, query.cursor ? decodeCursor(query.cursor) : null);
    return c.json({ repo: repoInfo(repo), commits, next_cursor: next ? encodeCursor(next) : null });
  }

  if (segments.length >= 3 && ShaPrefix.safeParse(name).success) {
    const owner = validOwner(segments.slice(0, -2).join("/"));
    const repoName = parseWith(RepoName, segments.at(-2), "invalid_repo");
    const parent = await resolveRepo(db, owner, repoName, query.host);
    if (parent) {
      const sha = parseWith(ShaPrefix, name, "invalid_sha");
      const matches = await findCommitsByPrefix(db, parent.id, sha);
      if (matches.length > 1) throw new ApiError(409, "ambiguous_sha", `${sha} matches several commits; give more of the SHA.`);
      const commit = matches[0];
      if (!commit) throw new ApiError(404, "commit_not_found", `No commit ${sha} in ${owner}/${repoName}.`);
      return c.json({ repo: repoInfo(parent), commit: { ...commit, files: await commitFiles(db, parent.id, commit.sha) } });
    }
  }
  throw new ApiError(404, "repo_not_found", `No repo ${segments.join("/")} has been pushed to this server.`);
});

orgRoutes.get("/", async (c) => {
  const owners = await listOwners(c.get("env").DB);
  return c.json({ orgs: owners.map((o) => ({ ...o, hosts: o.hosts.split(",") })) });
});

orgRoutes.get("/:org{.+}/repos", async (c) => {
  const owner = validOwner(c.req.param("org"));
  const { host } = parseWith(PageQuery, c.req.query(), "invalid_query");
  const repos = await listReposOfOwner(c.get("env").DB, owner, host);
  if (repos.length === 0) throw new ApiError(404, "org_not_found", `No repos of ${owner} have been pushed to this server.`);
  return c.json({ org: owner, repos: repos.map(repoInfo) });
});
