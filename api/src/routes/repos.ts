import { type LinkChangeResponse, RepoHost, RepoOwner } from "@residue/protocol";
import { Hono } from "hono";
import { z } from "zod";
import { repoInfo } from "../db/repos.ts";
import type { ApiEnv } from "../env.ts";
import { parseWith } from "../http/body.ts";
import { ApiError } from "../http/errors.ts";
import { outcomeError } from "../http/outcome.ts";
import { readCommit, readCommitPage } from "../read/commits.ts";
import { changeLink } from "../read/links.ts";
import type { AmbiguousRepo } from "../read/outcome.ts";
import { readOrg, readOrgs, readRepoPath } from "../read/repos.ts";

export const repoRoutes = new Hono<ApiEnv>();
export const orgRoutes = new Hono<ApiEnv>();

const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  host: RepoHost.optional(),
});

const ambiguousRepo = (a: AmbiguousRepo) =>
  outcomeError(a, `${a.owner}/${a.name} exists on several hosts (${a.hosts.join(", ")}); add ?host=<one of them>.`);

// /api/repos/<org>/<repo> lists a repo's commits; /api/repos/<org>/<repo>/<sha> is one commit.
repoRoutes.get("/:path{.+}", async (c) => {
  const segments = c.req.param("path").split("/").filter(Boolean);
  const query = parseWith(PageQuery, c.req.query(), "invalid_query");
  const db = c.get("env").DB;
  if (segments.length < 2) throw new ApiError(400, "invalid_repo", "Name a repo as /api/repos/<org>/<repo>.");

  const path = await readRepoPath(db, segments, query.host);
  if (path.kind === "missing") throw outcomeError(path, `No repo ${segments.join("/")} has been pushed to this server.`);
  if (path.kind === "ambiguous") throw ambiguousRepo(path);
  if (path.kind === "repo") {
    const page = await readCommitPage(db, path.repo, query.limit, query.cursor);
    if (page.kind !== "found") throw outcomeError(page, page.message);
    return c.json({ repo: repoInfo(path.repo), commits: page.commits, next_cursor: page.next_cursor });
  }
  const commit = await readCommit(db, path.repo, path.sha);
  const where = `${path.repo.owner}/${path.repo.name}`;
  if (commit.kind === "ambiguous") throw outcomeError(commit, `${path.sha} matches several commits; give more of the SHA.`);
  if (commit.kind === "missing") throw outcomeError(commit, `No commit ${path.sha} in ${where}.`);
  return c.json({ repo: repoInfo(path.repo), commit: commit.commit });
});

// A person's correction: PUT links the session to the commit (reason "manual"), DELETE unlinks it and keeps it
// unlinked through later pushes. The session may be named by a unique prefix of its id.
repoRoutes.on(["PUT", "DELETE"], "/:path{.+}/commits/:sha/sessions/:id", async (c) => {
  const segments = c.req.param("path").split("/").filter(Boolean);
  const { host } = parseWith(PageQuery, c.req.query(), "invalid_query");
  const db = c.get("env").DB;
  const path = segments.length >= 2 ? await readRepoPath(db, segments, host) : null;
  if (path?.kind === "ambiguous") throw ambiguousRepo(path);
  if (path?.kind !== "repo") throw new ApiError(404, "repo_not_found", `No repo ${segments.join("/")} has been pushed to this server.`);
  const [sha, id] = [c.req.param("sha"), c.req.param("id")];
  const where = `${path.repo.owner}/${path.repo.name}`;
  const change = await changeLink(db, path.repo, sha, id, c.req.method === "PUT", Date.now());
  if (change.kind === "done") {
    const { kind: _kind, ...body } = change;
    return c.json(body satisfies LinkChangeResponse);
  }
  const message =
    change.kind === "missing"
      ? `No ${change.what === "commit" ? `commit ${sha}` : `session ${id}`} in ${where}.`
      : change.what === "sha"
        ? `${sha} matches several commits in ${where}; give more of the SHA.`
        : `${id} matches several sessions in ${where}; give more of the id.`;
  throw outcomeError(change, message);
});

orgRoutes.get("/", async (c) => {
  const owners = await readOrgs(c.get("env").DB);
  return c.json({ orgs: owners.map((o) => ({ ...o, hosts: o.hosts.split(",") })) });
});

orgRoutes.get("/:org{.+}/repos", async (c) => {
  const owner = parseWith(RepoOwner, c.req.param("org"), "invalid_org");
  const { host } = parseWith(PageQuery, c.req.query(), "invalid_query");
  const org = await readOrg(c.get("env").DB, owner, host);
  if (org.kind === "missing") throw outcomeError(org, `No repos of ${owner} have been pushed to this server.`);
  return c.json({ org: owner, repos: org.repos.map(repoInfo) });
});
