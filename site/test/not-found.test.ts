// Every route that names an org, repo, commit, session or release file answers 404 when that record does
// not exist, in the API, the public downloads and the UI alike. The routes come from the real route tables (Hono's, Astro's pages folder), so
// a new route must be placed in one of the tables below or this test fails.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { api, baseUrl, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo, uploadData } from "../../api/test/support/client.ts";
import { apiRoutes, pageFiles, releaseRouteTable, templateSegments } from "../../hardening/support/routes.ts";

/** A repo that exists, so a missing commit or a missing repo of a known org can be asked for. */
const repo = uniqueRepo();
const data = '{"type":"user","message":{"role":"user","content":"hi"}}\n';
const session = sessionMeta(data);
const sha = fakeSha(randomUUID());
beforeAll(async () => {
  await uploadData(session.id, data);
  const res = await postJson("/sessions", { repo, sessions: [session], commits: [commitMapping(sha, [session.id])] });
  expect(res.status).toBe(200);
});

const nobody = () => `nobody-${randomUUID().slice(0, 8)}`;
const missingSession = () => randomUUID();

/** For each API path param, the values that name a record that does not exist. */
const apiMissing: Record<string, () => string[]> = {
  path: () => [`${nobody()}/widgets`, `${repo.owner}/${nobody()}`, `${repo.owner}/${repo.name}/deadbeef`, `${nobody()}/widgets/deadbeef`],
  org: () => [nobody()],
  id: () => [missingSession()],
};
/** Routes with several params: each path names one missing record beside ones that exist. */
const apiPaths: Record<string, () => string[]> = {
  "/repos/:path{.+}/commits/:sha/sessions/:id": () => [
    `/repos/${nobody()}/widgets/commits/${sha}/sessions/${session.id}`,
    `/repos/${repo.owner}/${nobody()}/commits/${sha}/sessions/${session.id}`,
    `/repos/${repo.owner}/${repo.name}/commits/deadbeef/sessions/${session.id}`,
    `/repos/${repo.owner}/${repo.name}/commits/${sha}/sessions/${missingSession()}`,
  ],
};
/** Routes whose params name no record to look up: their 404 is not this test's. */
const apiExempt = new Set([
  // Local mode's upload target: the session's data arrives before its metadata, so its id is new by design.
  "PUT /uploads/:id",
]);
/** Bodies that pass validation, so the 404 is about the record and not the request. */
const apiBodies: Record<string, unknown> = { "PUT /sessions/:id/search": { docs: [] } };

const fill = (path: string, value: string) =>
  templateSegments(path)
    .map((s) => (typeof s === "string" ? s : value))
    .join("/");

describe("API: a missing record is a 404", () => {
  const cases = apiRoutes()
    .filter((r) => templateSegments(r.path).some((s) => typeof s !== "string") && !apiExempt.has(`${r.method} ${r.path}`))
    .flatMap((r) => {
      const paths = apiPaths[r.path];
      if (paths) return paths().map((path) => ({ method: r.method, path, key: `${r.method} ${r.path}` }));
      const param = templateSegments(r.path).find((s) => typeof s !== "string");
      const values = typeof param === "object" ? apiMissing[param.name] : undefined;
      if (!values) throw new Error(`${r.method} ${r.path}: add its param to apiMissing or the route to apiExempt`);
      return values().map((v) => ({ method: r.method, path: `/${fill(r.path, v)}`, key: `${r.method} ${r.path}` }));
    });

  it.each(cases)("$method $path", async ({ method, path, key }) => {
    const body = apiBodies[key];
    const res = body ? await postJson(path, body, { method }) : await api(path, { method });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/_not_found$/);
  });
});

/** For each page file, the paths that name a record that does not exist; [] for pages that name none. */
const pageMissing: Record<string, () => string[]> = {
  "app/[...path].astro": () => [
    `/app/${nobody()}`,
    `/app/${nobody()}/widgets`,
    `/app/${repo.owner}/${nobody()}`,
    `/app/${repo.owner}/${repo.name}/deadbeef`,
    `/app/${nobody()}/widgets/deadbeef`,
  ],
  "app/-/session/[id].astro": () => [`/app/-/session/${missingSession()}`],
  "app/-/fragment/[id].astro": () => [`/app/-/fragment/${missingSession()}`],
  "app/-/delete/[id].astro": () => [`/app/-/delete/${missingSession()}`, "/app/-/delete/not-a-session-id"],
  "app/index.astro": () => [],
  "app/-/search.astro": () => [],
  "app/-/login.astro": () => [],
  "app/-/logout.astro": () => [],
  "highlight.css.ts": () => [],
};

describe("UI: a missing record is a 404", () => {
  const cases = pageFiles().flatMap((file) => {
    const paths = pageMissing[file];
    if (!paths) throw new Error(`${file}: add it to pageMissing`);
    return paths().map((path) => ({ file, path }));
  });
  const auth = () => `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}`;

  it.each(cases)("$path", async ({ path }) => {
    const res = await fetch(`${baseUrl()}${path}`, { headers: { authorization: auth() }, redirect: "manual" });
    expect(res.status).toBe(404);
  });
});

/** For each public download route with params, paths naming no uploaded file or no file of the contract. */
const releaseMissing: Record<string, () => string[]> = {
  "/releases/:version/:file": () => [
    "/releases/9.9.9/residue-linux-x64",
    "/releases/9.9.9/SHA256SUMS",
    "/releases/not-a-version/residue-linux-x64",
    "/releases/9.9.9/residue",
    "/releases/9.9.9/current.json",
    "/releases/9.9.9/residue-linux-x64.exe",
  ],
};

describe("Downloads: a missing release file is a 404", () => {
  const cases = releaseRouteTable()
    .filter((r) => templateSegments(r.path).some((s) => typeof s !== "string"))
    .flatMap((r) => {
      const paths = releaseMissing[r.path];
      if (!paths) throw new Error(`${r.method} ${r.path}: add it to releaseMissing`);
      return paths().map((path) => ({ method: r.method, path }));
    });

  it.each(cases)("$method $path", async ({ method, path }) => {
    const res = await fetch(`${baseUrl()}${path}`, { method, redirect: "manual" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("release_file_not_found");
  });
});
