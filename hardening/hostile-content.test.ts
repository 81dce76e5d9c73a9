// Hostile content in Chromium: a transcript of script payloads and metadata fields carrying them, and a
// decompression bomb (600 MB from ~1 MB of gzip). Every page that shows them must render, run no script
// but ours, open no dialog and request nothing outside the app.
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { gzipBomb } from "../api/test/support/bomb.ts";
import { api, baseUrl, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo, uploadData } from "../api/test/support/client.ts";
import { launch } from "../e2e/support/browser.ts";
import { xssTranscript } from "../e2e/support/seed.ts";
import { recordFigure } from "./support/figures.ts";

const SECTION = "Hostile content";
const PAYLOAD = '<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2"><a href="javascript:window.__xss=3">x</a>';
const repo = uniqueRepo();
const hostile = sessionMeta(xssTranscript(), { title: `Title ${PAYLOAD}`, agent_version: `1.0 <script>window.__xss=5</script>` });
const bombed = { id: randomUUID(), sha: fakeSha(randomUUID()) };
const hostileSha = fakeSha(hostile.id);
const word = `hostile${randomUUID().slice(0, 8)}`;
let bombFigures = { gzip: 0, inflated: 0 };

let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  await uploadData(hostile.id, xssTranscript());
  const bomb = await gzipBomb(600 * 1024 * 1024);
  bombFigures = { gzip: bomb.gzip.byteLength, inflated: bomb.byteSize };
  await uploadData(bombed.id, bomb.gzip);
  const bombMeta = sessionMeta("", { id: bombed.id, byte_size: bomb.byteSize, content_hash: bomb.contentHash, message_count: bomb.lines });
  const commits = [
    commitMapping(hostileSha, [hostile.id], {
      message: `Fix ${PAYLOAD}\n\n${word}`,
      author_name: `Dev ${PAYLOAD}`,
      author_email: `"><script>window.__xss=4</script>@example.com`,
      branch: `main${PAYLOAD}`,
      files: [{ path: `src/${PAYLOAD}.ts`, additions: 1, deletions: 0 }],
    }),
    commitMapping(bombed.sha, [bombed.id], { message: "The bomb", sessions: [{ session_id: bombed.id, position: {} }] }),
  ];
  const started = performance.now();
  const post = await postJson("/sessions", { repo, sessions: [hostile, bombMeta], commits });
  expect(post.status, await post.clone().text()).toBe(200);
  recordFigure({
    section: SECTION,
    what: "metadata post of the decompression bomb: its 600 MB checked against byte_size and content_hash, streamed",
    result: `accepted in ${((performance.now() - started) / 1000).toFixed(1)} s (CPU-bound: inflate + SHA-256)`,
  });
  const doc = { i: 0, role: "user", text: `${word} ${PAYLOAD}`, tools: PAYLOAD, files: PAYLOAD, commands: PAYLOAD, at: null, line: 1 };
  const indexed = await api(`/sessions/${hostile.id}/search`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ docs: [doc] }),
  });
  expect(indexed.status).toBe(200);
  browser = await launch();
  context = await browser.newContext({
    extraHTTPHeaders: { authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` },
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

interface Visit {
  page: Page;
  status: number;
  dialogs: number;
  external: string[];
}

/** Opens a page, expands everything it folds, and reports what it tried to do. */
async function visit(path: string): Promise<Visit> {
  const page = await context.newPage();
  const seen = { dialogs: 0, external: [] as string[] };
  page.on("dialog", async (d) => {
    seen.dialogs++;
    await d.dismiss();
  });
  page.on("request", (r) => {
    if (!r.url().startsWith(baseUrl()) && !r.url().startsWith("data:")) seen.external.push(r.url());
  });
  const res = await page.goto(`${baseUrl()}${path}`);
  await page.waitForLoadState("load");
  for (const d of await page.locator("details").all()) await d.evaluate((el) => el.setAttribute("open", ""));
  return { page, status: res?.status() ?? 0, ...seen, external: seen.external };
}

async function expectInert(v: Visit, label: string) {
  expect(v.status, label).toBe(200);
  expect(v.dialogs, label).toBe(0);
  expect(v.external, label).toEqual([]);
  expect(await v.page.evaluate(() => (window as unknown as { __xss?: number }).__xss), label).toBeUndefined();
  const scripts = await v.page.evaluate(() => [...document.scripts].map((s) => s.src));
  expect(scripts, label).toEqual([`${baseUrl()}/residue.js`]);
  expect(await v.page.locator("main iframe, main svg, main [onerror], main [onload], main [onclick]").count(), label).toBe(0);
  expect(await v.page.locator('a[href^="javascript:"]').count(), label).toBe(0);
}

describe("hostile content in Chromium", () => {
  it("stays text on every page that shows it: timeline, permalink, session, search", async () => {
    const pages = [
      `/app/${repo.owner}/${repo.name}`,
      `/app/${repo.owner}/${repo.name}/${hostileSha}`,
      `/app/-/session/${hostile.id}`,
      `/app/-/search?q=${word}&org=${repo.owner}`,
      `/app/-/search?q=${encodeURIComponent(`"><script>alert(1)</script>`)}`,
    ];
    for (const path of pages) {
      const v = await visit(path);
      await expectInert(v, path);
      await v.page.close();
    }
    const permalink = await visit(`/app/${repo.owner}/${repo.name}/${hostileSha}`);
    const text = await permalink.page.locator("main").innerText();
    for (const shown of ["<script>window.__xss=1;alert(1)</script>", `Dev <script>`, "main<script>"]) expect(text).toContain(shown);
    await permalink.page.close();
    recordFigure({
      section: SECTION,
      what: "pages with script payloads in the transcript and every metadata field (title, agent version, commit message, author, e-mail, branch, file path, search text)",
      result: `${pages.length} pages: 0 scripts run, 0 dialogs, 0 external requests`,
    });
  }, 120_000);

  it("renders a decompression bomb's pages whole, cut with a notice, without crashing", async () => {
    const paths = [`/app/${repo.owner}/${repo.name}/${bombed.sha}`, `/app/-/session/${bombed.id}`];
    for (const path of paths) {
      const started = performance.now();
      const v = await visit(path);
      const ms = performance.now() - started;
      await expectInert(v, path);
      expect(await v.page.locator(".notice-box").allInnerTexts()).toContainEqual(expect.stringContaining("only its first 16 MB are shown"));
      expect(await v.page.locator("article.msg").count()).toBeGreaterThan(0);
      // The page was not cut off mid-stream: the layout's closing parts arrived.
      expect(await v.page.evaluate(() => document.querySelector("main")?.nextElementSibling === null)).toBe(true);
      recordFigure({
        section: SECTION,
        what: `decompression bomb (${(bombFigures.gzip / 1024).toFixed(0)} KB gzip → ${Math.round(bombFigures.inflated / 1024 / 1024)} MB), ${path.includes("/session/") ? "session page" : "permalink"}`,
        result: `200 with the cut notice, ${Math.round(ms)} ms in Chromium, no script, dialog or external request`,
      });
      await v.page.close();
    }
    expect((await fetch(`${baseUrl()}/api/health`)).status).toBe(200);
  }, 120_000);
});
