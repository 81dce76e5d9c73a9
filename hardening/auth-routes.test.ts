// Auth from the route tables: every API route (Hono's own table) and every UI page (Astro's pages folder)
// × path spellings a second parser might read differently × credentials that must not open it. Each
// combination must answer 400/401/302/403/404/405/429 and never carry the route's content; the same routes
// with real credentials on the canonical path do carry it, so the check cannot pass vacuously.
import { request } from "node:http";
import { signSession } from "@residue/site/ui-session";
import { beforeAll, describe, expect, it } from "vitest";
import { recordFigure } from "./support/figures.ts";
import { type SeededRecord, seedRecord } from "./support/record.ts";
import { apiRoutes, pageFiles, releaseRouteTable } from "./support/routes.ts";
import { dedicatedServer } from "./support/server.ts";

// Lockouts would answer most of these probes with 429 before the gate is reached: lift them here, so
// every probe tests the gate itself (the lockout has tests of its own).
const target = dedicatedServer({ AUTH_FAILURE_LIMIT: "1000000" });

let record: SeededRecord;

interface Example {
  method: string;
  path: string;
  /** Text only an authorized response holds (absent from the path, so error pages cannot echo it). */
  secret?: string;
}

type Examples = Record<string, Omit<Example, "method">[]>;

/** Concrete requests for each Hono route pattern of the API, keyed `METHOD pattern`. */
const apiExamples = (r: SeededRecord): Examples => ({
  "GET /health": [],
  "PUT /uploads/:id": [{ path: `/api/uploads/${r.sessionId}` }],
  "PUT /uploads/:id/:generation/:name": [{ path: `/api/uploads/${r.sessionId}/1/c0` }],
  "GET /auth/check": [{ path: "/api/auth/check", secret: '"ok":true' }],
  "POST /sessions/upload-url": [{ path: "/api/sessions/upload-url" }],
  "POST /sessions": [{ path: "/api/sessions" }],
  "GET /sessions/:id": [{ path: `/api/sessions/${r.sessionId}`, secret: r.secret }],
  "DELETE /sessions/:id": [{ path: `/api/sessions/${r.sessionId}` }],
  "GET /sessions/:id/layout": [{ path: `/api/sessions/${r.sessionId}/layout`, secret: '"layout":"gzip-v1"' }],
  "GET /sessions/:id/objects/:generation/:name": [{ path: `/api/sessions/${r.sessionId}/objects/1/c0` }],
  "PUT /sessions/:id/search": [{ path: `/api/sessions/${r.sessionId}/search` }],
  "GET /search": [{ path: `/api/search?q=${r.query}`, secret: r.secret }],
  "GET /repos/:path{.+}": [
    { path: `/api/repos/${r.owner}/${r.repo}`, secret: r.secret },
    { path: `/api/repos/${r.owner}/${r.repo}/${r.sha}`, secret: r.secret },
  ],
  "PUT /repos/:path{.+}/commits/:sha/sessions/:id": [{ path: `/api/repos/${r.owner}/${r.repo}/commits/${r.sha}/sessions/${r.sessionId}` }],
  "DELETE /repos/:path{.+}/commits/:sha/sessions/:id": [
    { path: `/api/repos/${r.owner}/${r.repo}/commits/${r.sha}/sessions/${r.sessionId}` },
  ],
  "GET /orgs": [{ path: "/api/orgs", secret: r.owner }],
  "GET /orgs/:org{.+}/repos": [{ path: `/api/orgs/${r.owner}/repos`, secret: r.repo }],
});

/** Concrete requests for each page file under site/src/pages (Astro's route table), GET and POST. */
const pageExamples = (r: SeededRecord): Examples => ({
  "highlight.css.ts": [],
  "app/-/login.astro": [],
  "app/index.astro": [{ path: "/app", secret: r.owner }],
  "app/[...path].astro": [
    { path: `/app/${r.owner}`, secret: r.repo },
    { path: `/app/${r.owner}/${r.repo}`, secret: r.secret },
    { path: `/app/${r.owner}/${r.repo}/${r.sha}`, secret: r.secret },
  ],
  "app/-/search.astro": [{ path: `/app/-/search?q=${r.query}`, secret: r.secret }],
  "app/-/session/[id].astro": [{ path: `/app/-/session/${r.sessionId}`, secret: r.secret }],
  "app/-/fragment/[id].astro": [{ path: `/app/-/fragment/${r.sessionId}?from=0&to=50`, secret: r.secret }],
  "app/-/logout.astro": [{ path: "/app/-/logout" }],
  "app/-/delete/[id].astro": [{ path: `/app/-/delete/${r.sessionId}?back=%2Fapp`, secret: r.secret }],
});

/** The server hands out its own CLI: every download route is public, and these requests reach each one. */
const releaseExamples: Record<string, string[]> = {
  "GET /install.sh": ["/install.sh"],
  "GET /install.ps1": ["/install.ps1"],
  "GET /releases/current.json": ["/releases/current.json"],
  "GET /releases/:version/:file": ["/releases/0.1.0/residue-linux-x64", "/releases/0.1.0/SHA256SUMS"],
};
/** Near the download paths but none of them: these stay behind the gate. */
const beside = [
  "/releases",
  "/releases/",
  "/releases/0.1.0",
  "/releases/0.1.0/residue-linux-x64/x",
  "/install.sh/x",
  "/install",
  "/releases.json",
];

const PUBLIC_API = new Set(["GET /health"]);
const PUBLIC_PAGES = new Set(["highlight.css.ts", "app/-/login.astro"]);

const apiRouteTable = () => apiRoutes().map((r) => `${r.method} ${r.path}`);
const pageRouteTable = pageFiles;

function protectedExamples(): Example[] {
  const api = apiRouteTable()
    .filter((r) => !PUBLIC_API.has(r))
    .flatMap((r) => (apiExamples(record)[r] ?? []).map((e) => ({ method: r.split(" ")[0] as string, ...e })));
  const pages = pageRouteTable()
    .filter((p) => !PUBLIC_PAGES.has(p))
    .flatMap((p) => (pageExamples(record)[p] ?? []).flatMap((e) => ["GET", "POST"].map((method) => ({ method, ...e }))));
  return [...api, ...pages];
}

/** Spellings of one path that a router, a proxy or a browser might resolve to the same resource. */
function pathVariants(pathAndQuery: string): string[] {
  const [path = "", query] = pathAndQuery.split(/\?(.*)/s);
  const q = query ? `?${query}` : "";
  const [, first = "", rest = ""] = /^\/([^/]*)(.*)$/.exec(path) ?? [];
  // The slash before the last segment, so `/app` keeps its leading one.
  const lastSlash = (by: string) => (rest ? path.replace(/\/(?=[^/]*$)/, by) : `/${by}${first}`);
  const variants = [
    `/${path}`,
    lastSlash("//"),
    `/.${path}`,
    `/x/..${path}`,
    `/x/%2e%2e${path}`,
    `${path}/`,
    path.toUpperCase(),
    `/${first.charAt(0).toUpperCase()}${first.slice(1)}${rest}`,
    `/%${first.charCodeAt(0).toString(16)}${first.slice(1)}${rest}`,
    lastSlash("%2f"),
    lastSlash("%2F"),
    lastSlash("\\"),
    `${path}%00`,
    `${path};x`,
    `${path}%20`,
  ];
  return [...new Set(variants)].map((v) => v + q);
}

interface Credentials {
  name: string;
  headers(): Record<string, string>;
  query?(): string;
}

let validCookie = "";
let expiredCookie = "";
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const credentials: Credentials[] = [
  { name: "none", headers: () => ({}) },
  { name: "wrong bearer", headers: () => ({ authorization: "Bearer rsd_wrong" }) },
  { name: "wrong basic", headers: () => ({ authorization: basic(server.secrets.ADMIN_USERNAME as string, "wrong") }) },
  { name: "expired cookie", headers: () => ({ cookie: `residue_session=${expiredCookie}` }) },
  { name: "tampered cookie", headers: () => ({ cookie: `residue_session=${validCookie.slice(0, -2)}AA` }) },
  {
    name: "cookie with a later expiry",
    headers: () => ({ cookie: `residue_session=${validCookie.replace(/\.(\d+)\./, (_m, n) => `.${Number(n) + 1000}.`)}` }),
  },
  { name: "token in query", headers: () => ({}), query: () => `token=${server.secrets.AUTH_TOKEN}` },
  { name: "access_token in query", headers: () => ({}), query: () => `access_token=${server.secrets.AUTH_TOKEN}` },
];
// Each half of the app has its own secret: the API token opens no page, the UI login opens no API route.
const crossCredentials = (example: Example): Credentials =>
  example.path.startsWith("/api/")
    ? {
        name: "UI basic auth on the API",
        headers: () => ({ authorization: basic(server.secrets.ADMIN_USERNAME as string, server.secrets.ADMIN_PASSWORD as string) }),
      }
    : { name: "API token on the UI", headers: () => ({ authorization: `Bearer ${server.secrets.AUTH_TOKEN}` }) };

/** A request sent with its path exactly as written: fetch() would resolve dot segments and backslashes first. */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: { accept: "text/html", ...headers }, timeout: 15_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    if (method === "POST" || method === "PUT") req.end("{}");
    else req.end();
  });
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Signs in through the form, as a browser does, and returns the session cookie's value. */
async function signIn(): Promise<string> {
  const res = await fetch(`${server.url}/app/-/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: server.url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: server.secrets.ADMIN_USERNAME, password: server.secrets.ADMIN_PASSWORD, next: "/app" }),
  });
  const cookie = /residue_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (res.status !== 303 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie;
}

let server: ReturnType<typeof target>;
beforeAll(async () => {
  server = target();
  record = await seedRecord(server);
  validCookie = await signIn();
  // Signed with the server's real key, so only its age makes it invalid.
  const env = { ADMIN_PASSWORD: server.secrets.ADMIN_PASSWORD, AUTH_TOKEN: server.secrets.AUTH_TOKEN } as never;
  expiredCookie = await signSession(env, validCookie.split(".")[0] as string, Math.floor(Date.now() / 1000) - 3600);
}, 120_000);

describe("auth from the route tables", () => {
  it("knows how to reach every route and page the app serves", () => {
    expect(apiRouteTable().filter((r) => !(r in apiExamples(record)))).toEqual([]);
    expect(pageRouteTable().filter((p) => !(p in pageExamples(record)))).toEqual([]);
    expect(releaseRouteTable().map((r) => `${r.method} ${r.path}`)).toEqual(Object.keys(releaseExamples));
  });

  it("answers the CLI's downloads without credentials, and keeps the paths beside them behind the gate", async () => {
    for (const path of Object.values(releaseExamples).flat()) {
      const res = await rawRequest("GET", path, {});
      // No release is uploaded to this server: the manifest and files answer 404, the scripts say so.
      expect([path, res.status], res.body.slice(0, 300)).toEqual([path, path.startsWith("/install") ? 200 : 404]);
      expect(res.headers["content-security-policy"], path).toBeTruthy();
    }
    for (const path of beside) {
      const res = await rawRequest("GET", path, {});
      expect([path, res.status]).toEqual([path, 302]);
    }
  });

  it("serves each route's content to real credentials on the canonical path (the control)", async () => {
    const token = server.secrets.AUTH_TOKEN as string;
    const ui = basic(server.secrets.ADMIN_USERNAME as string, server.secrets.ADMIN_PASSWORD as string);
    const readable = protectedExamples().filter((e) => e.secret && e.method === "GET");
    expect(readable.length).toBeGreaterThan(10);
    for (const e of readable) {
      const auth = e.path.startsWith("/api/") ? `Bearer ${token}` : ui;
      const res = await rawRequest("GET", e.path, { authorization: auth });
      expect([e.path, res.status], res.body.slice(0, 300)).toEqual([e.path, 200]);
      expect(res.body, e.path).toContain(e.secret);
      const cookie = e.path.startsWith("/api/") ? null : await rawRequest("GET", e.path, { cookie: `residue_session=${validCookie}` });
      if (cookie) expect(cookie.body, `${e.path} with a valid cookie`).toContain(e.secret);
    }
  });

  it("answers every route × path variant × bad credential without content", async () => {
    const cases = protectedExamples().flatMap((example) =>
      pathVariants(example.path)
        .map((path) => ({ example, path, creds: credentials }))
        .concat([{ example, path: example.path, creds: [...credentials, crossCredentials(example)] }]),
    );
    const leaks: string[] = [];
    const statuses = new Map<number, number>();
    let requests = 0;
    await inBatches(cases, 8, async ({ example, path, creds }) => {
      for (const c of creds) {
        const extra = c.query?.();
        const target = extra ? `${path}${path.includes("?") ? "&" : "?"}${extra}` : path;
        const res = await rawRequest(example.method, target, c.headers());
        requests++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const denied = [302, 400, 401, 403, 404, 405, 429].includes(res.status);
        const leaked = example.secret !== undefined && res.body.includes(example.secret);
        // Security headers ride on refusals too: an error page is still a page an attacker can frame or sniff.
        const bare = !res.headers["content-security-policy"] || res.headers["x-content-type-options"] !== "nosniff";
        if (!denied || leaked || bare) {
          leaks.push(
            `${example.method} ${target} [${c.name}] → ${res.status}${leaked ? " with content" : ""}${bare ? " without CSP/nosniff" : ""}`,
          );
        }
      }
    });
    recordFigure({
      section: "Auth from the route tables",
      what: `${protectedExamples().length} protected route examples × ${pathVariants("/a/b").length + 1} path spellings × ${credentials.length} credentials`,
      result: `${requests} requests, ${leaks.length} with content or without security headers; statuses ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(", ")}`,
    });
    expect(leaks).toEqual([]);
  }, 600_000);

  it("left the seeded data untouched by every denied write", async () => {
    const res = await fetch(`${server.url}/api/sessions/${record.sessionId}`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(record.secret);
  });
});
