// Property-based fuzzing of every UI page (Astro's pages folder), signed in: path params, query strings and
// the sign-in/sign-out bodies. Property: a page answers a client error or a page, never a 5xx.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { recordFigure, volume } from "./support/figures.ts";
import { type SeededRecord, seedRecord } from "./support/record.ts";
import { pageFiles } from "./support/routes.ts";
import { dedicatedServer } from "./support/server.ts";

const target = dedicatedServer({ AUTH_FAILURE_LIMIT: "1000000" });
const RUNS_PER_PAGE = volume(150, 40);

let record: SeededRecord;
let server: ReturnType<typeof target>;
let auth: string;
beforeAll(async () => {
  server = target();
  record = await seedRecord(server);
  auth = `Basic ${btoa(`${server.secrets.ADMIN_USERNAME}:${server.secrets.ADMIN_PASSWORD}`)}`;
}, 120_000);

const junk = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("", "0", "-1", "1e309", "NaN", "9".repeat(30), "%", "..", "<script>", "\u0000", "\u202e", "x".repeat(3000)),
  },
);
const segment = () => fc.oneof(fc.constantFrom(record.owner, record.repo, record.sha, record.sha.slice(0, 7), "-"), junk);
/** Any query string the page reads (and some it does not), valid values mixed with junk. */
const query = (names: string[]) =>
  fc
    .dictionary(fc.constantFrom(...names, "zz"), fc.oneof(junk, fc.constantFrom(record.query, record.owner, "github.com", "1")), {
      maxKeys: 4,
    })
    .map((q) => {
      const s = new URLSearchParams(q).toString();
      return s ? `?${s}` : "";
    });
const pathOf = (segments: string[]) => segments.map((s) => encodeURIComponent(s)).join("/");

interface Probe {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Requests for each page file; a page the table does not know fails the test, so new pages get fuzzed. */
const probes: Record<string, () => fc.Arbitrary<Probe>> = {
  "app/index.astro": () => query(["cursor"]).map((q) => ({ method: "GET", path: `/app${q}` })),
  "app/[...path].astro": () =>
    fc
      .tuple(fc.array(segment(), { minLength: 1, maxLength: 5 }), query(["host", "cursor", "limit"]))
      .map(([segments, q]) => ({ method: "GET", path: `/app/${pathOf(segments)}${q}` })),
  "app/-/search.astro": () =>
    query(["q", "org", "repo", "agent", "author", "since", "until", "cursor"]).map((q) => ({ method: "GET", path: `/app/-/search${q}` })),
  "app/-/session/[id].astro": () =>
    fc
      .tuple(fc.oneof(fc.constant(record.sessionId), fc.uuid(), junk), query(["from", "to"]))
      .map(([id, q]) => ({ method: "GET", path: `/app/-/session/${encodeURIComponent(id)}${q}` })),
  "app/-/fragment/[id].astro": () =>
    fc
      .tuple(fc.oneof(fc.constant(record.sessionId), fc.uuid(), junk), query(["from", "to", "tone", "full"]))
      .map(([id, q]) => ({ method: "GET", path: `/app/-/fragment/${encodeURIComponent(id)}${q}` })),
  "app/-/login.astro": () =>
    fc.oneof(
      query(["next"]).map((q) => ({ method: "GET", path: `/app/-/login${q}` })),
      fc
        .tuple(
          fc.constantFrom(
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "application/json",
            "text/plain",
            "",
          ),
          fc.oneof(
            junk,
            fc.dictionary(fc.constantFrom("username", "password", "next"), junk).map((d) => new URLSearchParams(d).toString()),
          ),
        )
        .map(([type, body]) => ({
          method: "POST",
          path: "/app/-/login",
          headers: { origin: server.url, ...(type ? { "content-type": type } : {}) },
          body,
        })),
    ),
  "app/-/logout.astro": () =>
    fc.constantFrom(undefined, "https://evil.example", "null").map((origin) => ({
      method: "POST",
      path: "/app/-/logout",
      headers: origin ? { origin } : ({} as Record<string, string>),
    })),
  // Deleting posts are fuzzed at sessions that do not exist, or from another site: the record stays for the other pages.
  "app/-/delete/[id].astro": () =>
    fc.oneof(
      fc
        .tuple(fc.oneof(fc.constant(record.sessionId), fc.uuid(), junk), query(["back"]))
        .map(([id, q]) => ({ method: "GET", path: `/app/-/delete/${encodeURIComponent(id)}${q}` })),
      fc
        .tuple(
          fc.oneof(
            fc.tuple(fc.oneof(fc.uuid(), junk), fc.constantFrom(server.url, "https://evil.example", "null")),
            fc.tuple(fc.constant(record.sessionId), fc.constantFrom("https://evil.example", "null")),
          ),
          fc.constantFrom("application/x-www-form-urlencoded", "multipart/form-data", "text/plain"),
          fc.oneof(
            junk,
            fc.dictionary(fc.constantFrom("back", "zz"), junk).map((d) => new URLSearchParams(d).toString()),
          ),
        )
        .map(([[id, origin], type, body]) => ({
          method: "POST",
          path: `/app/-/delete/${encodeURIComponent(id)}`,
          headers: { origin, "content-type": type },
          body,
        })),
    ),
  "highlight.css.ts": () => query(["v"]).map((q) => ({ method: "GET", path: `/highlight.css${q}` })),
};

describe("fuzzing the UI's pages", () => {
  it("has a generator for every page", () => {
    expect(pageFiles().filter((p) => !(p in probes))).toEqual([]);
  });

  it("never answers a 5xx", async () => {
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (const page of pageFiles()) {
      await fc.assert(
        fc.asyncProperty(probes[page]?.() ?? fc.constant(null), async (probe) => {
          if (!probe) return;
          const res = await fetch(`${server.url}${probe.path}`, {
            method: probe.method,
            redirect: "manual",
            headers: { authorization: auth, accept: "text/html", ...probe.headers },
            body: probe.body,
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500) failures.push(`${probe.method} ${probe.path.slice(0, 200)} → ${res.status}`);
          return res.status < 500;
        }),
        { numRuns: RUNS_PER_PAGE },
      );
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    recordFigure({
      section: "Property-based fuzzing",
      what: `UI requests generated for ${pageFiles().length} pages of Astro's pages folder (signed in; sign-in, sign-out and delete bodies)`,
      result: `${total} requests, ${failures.length} × 5xx; statuses ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s} × ${n}`)
        .join(", ")}`,
    });
    expect(failures).toEqual([]);
  }, 600_000);
});
