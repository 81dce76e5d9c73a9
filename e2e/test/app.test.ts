// The /app record in a real browser, on data pushed by the compiled CLI from real git repos.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, SCREENSHOTS } from "../support/browser.ts";
import { type Seeded, seed } from "../support/seed.ts";

let browser: Browser;
let context: BrowserContext;
let data: Seeded;
const base = () => inject("baseUrl");
// Sent with every request (a browser sends credentials only after a challenge, and /app sends browsers to
// its sign-in page instead of challenging them).
const basicAuth = (password: string) => ({ authorization: `Basic ${btoa(`${inject("adminUser")}:${password}`)}` });

beforeAll(async () => {
  data = seed(inject("baseUrl"), inject("authToken"), { long: 400 });
  browser = await launch();
  context = await browser.newContext({
    extraHTTPHeaders: basicAuth(inject("adminPassword")),
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const res = await page.goto(`${base()}${path}`);
  expect(res?.status(), path).toBe(200);
  return page;
}

describe("the /app record", () => {
  it("walks org → repo timeline → commit permalink → conversation", async () => {
    const page = await open("/app");
    await page.getByRole("link", { name: data.owner }).click();
    await page.getByRole("link", { name: "widgets" }).click();
    await expect.poll(() => page.locator("ul.commits > li").count()).toBe(25);
    await expect.poll(() => page.getByText("Sessions without a commit").count()).toBe(1);
    await page.getByRole("link", { name: "long: step 20" }).click();
    await expect.poll(() => page.url()).toContain(data.sessions.long?.shas[19]);
    // The page streams: the commit header comes before the conversation.
    await expect.poll(() => page.locator("main").innerText()).toMatch(/Continues from [0-9a-f]{7} long: step 19/);
    // The timeline pages back to the oldest commits.
    await page.goBack();
    await page.getByRole("link", { name: "Older commits" }).click();
    await page.getByRole("link", { name: "backoff: step 2" }).click();
    await expect.poll(() => page.url()).toContain(data.sessions.claudeBackoff?.shas[1]);
    await page.waitForLoadState("load");
    const text = await page.locator("main").innerText();
    expect(text).toContain("Continues from");
    expect(text).toContain("backoff: step 1");
    expect(text).toContain("Done. fetchWithRetry now sleeps");
    // Earlier turns (before the previous commit) are folded; a click brings them in place.
    const fold = page.locator("a.fold").first();
    expect(await fold.innerText()).toMatch(/Show \d+ earlier message/);
    const before = await page.locator("article.msg").count();
    await fold.click();
    await expect.poll(() => page.locator("article.msg").count()).toBeGreaterThan(before);
    await page.screenshot({ path: `${SCREENSHOTS}/permalink-desktop-light.png`, fullPage: true });
  });

  it("expands a tool call to show its input, diff and output", async () => {
    const page = await open(`/app/-/session/${data.sessions.claudeBackoff?.id}`);
    const edit = page.locator('details.tool[data-tool="Edit"]').first();
    await expect.poll(() => edit.isVisible()).toBe(true);
    expect(await edit.locator(".diff").isVisible()).toBe(false);
    await edit.locator("summary").click();
    await expect.poll(() => edit.locator(".diff").isVisible()).toBe(true);
    expect(await edit.locator(".d-add").count()).toBeGreaterThan(0);
    const bash = page.locator('details.tool[data-tool="Bash"]').first();
    await bash.locator("summary").click();
    expect(await bash.locator("pre").last().innerText()).not.toBe("");
  });

  it("follows a deep link to one message, opening what folds it", async () => {
    const sha = data.sessions.claudeBackoff?.shas[1] as string;
    const id = `m-${data.sessions.claudeBackoff?.id}-0`;
    // Anchors name their session; a link from before they did (#m-0) means the first session on the page.
    for (const hash of [id, "m-0"]) {
      const page = await open(`/app/${data.owner}/widgets/${sha}#${hash}`);
      // Message 0 is in the folded earlier part: the page loads it and scrolls to it.
      await expect.poll(() => page.locator(`[id="${id}"]`).count(), { timeout: 5000 }).toBe(1);
      await expect.poll(() => page.evaluate((i) => document.getElementById(i)?.getBoundingClientRect().top ?? -1, id)).toBeLessThan(200);
      expect(await page.locator(`[id="${id}"] a.anchor`).getAttribute("href")).toBe(`#${id}`);
      await page.close();
    }
  });

  it("renders every supported agent's session", async () => {
    for (const key of ["claudeTiles", "piRename", "piRetry", "codex", "gemini", "opencode"] as const) {
      const s = data.sessions[key];
      const page = await open(`/app/${data.owner}/widgets/${s?.shas[0]}`);
      const messages = await page.locator("article.msg").count();
      const folds = await page.locator("a.fold").count();
      expect(messages + folds, key).toBeGreaterThan(1);
      expect(await page.locator(`.pill:text("${s?.agent}")`).count(), key).toBeGreaterThan(0);
      expect(await page.locator("details.tool").count(), key).toBeGreaterThan(0);
      expect(await page.locator("details.raw").count(), `${key} shows no unrecognized records`).toBe(0);
      await page.close();
    }
  });

  it("opens a commit of a long session on its own part, the rest folded, without shipping it all", async () => {
    const sha = data.sessions.long?.shas[9] as string;
    const res = await context.request.get(`${base()}/app/${data.owner}/widgets/${sha}`);
    const html = await res.text();
    expect(html.length).toBeLessThan(400_000);
    const page = await open(`/app/${data.owner}/widgets/${sha}`);
    const shown = await page.locator("article.msg").count();
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(100);
    expect(await page.locator("a.fold").first().innerText()).toMatch(/Show \d+ earlier messages \(before [0-9a-f]{7}\)/);
    expect(await page.locator("a.fold").last().innerText()).toMatch(/Show \d+ later messages \(after this commit\)/);
    // Outputs are cut in the first response; "show all" brings the whole message.
    const message = page.locator("article.msg:has(details.tool)").first();
    const id = await message.getAttribute("id");
    await message.locator("details.tool summary").first().click();
    const before = (await message.locator("details.tool pre").last().innerText()).length;
    await message.getByText(/Show all/).click();
    await expect.poll(async () => (await page.locator(`[id="${id}"] details.tool pre`).last().innerText()).length).toBeGreaterThan(before);
  });

  it("searches from any page: a hit opens the permalink on the matching message, highlighted", async () => {
    const page = await open(`/app/${data.owner}/widgets`);
    await page.fill('header input[name="q"]', '"exponential backoff"');
    await page.press('header input[name="q"]', "Enter");
    await expect.poll(() => page.url()).toContain("/app/-/search?q=");
    // Other suites share this server: narrow to this test's org with the facet form.
    await page.fill('form.facets input[name="org"]', data.owner);
    await page.click('form.facets button[type="submit"]');
    await expect.poll(() => page.url()).toContain(`org=${data.owner}`);
    const hit = page.locator("ul.hits > li").first();
    expect(await hit.locator("mark").first().innerText()).toMatch(/exponential/i);
    await hit.locator("a.hit-link").click();
    await expect.poll(() => page.url()).toContain(`${data.sessions.claudeBackoff?.shas[0]}?hl=`);
    await page.waitForLoadState("load");
    const id = new URL(page.url()).hash.slice(1);
    await expect.poll(() => page.locator(`[id="${id}"].hit mark`).count()).toBeGreaterThan(0);
    expect(await page.locator(`[id="${id}"] mark`).first().innerText()).toMatch(/exponential|backoff/i);
    await page.screenshot({ path: `${SCREENSHOTS}/search-hit.png` });
  });

  it("shows hostile text in search results as text", async () => {
    const page = await context.newPage();
    let dialogs = 0;
    page.on("dialog", async (d) => {
      dialogs++;
      await d.dismiss();
    });
    await page.goto(`${base()}/app/-/search?q=${encodeURIComponent("xss alert")}&org=${data.owner}`);
    expect(await page.locator("ul.hits > li").count()).toBeGreaterThan(0);
    expect(await page.locator("main script, main img, main iframe").count()).toBe(0);
    expect(await page.locator("ul.hits").innerText()).toContain("<script>");
    expect(dialogs).toBe(0);
    await page.goto(`${base()}/app/-/search?q=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(await page.locator("main script").count()).toBe(0);
    expect(dialogs).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/search-results.png`, fullPage: true });
  });

  it("signs in through the form and comes back to the page asked for", async () => {
    const fresh = await browser.newContext();
    const page = await fresh.newPage();
    const target = `/app/${data.owner}/widgets`;
    await page.goto(`${base()}${target}`);
    expect(new URL(page.url()).pathname).toBe("/app/-/login");
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in.png` });
    await page.fill('input[name="username"]', inject("adminUser"));
    await page.fill('input[name="password"]', "wrong");
    await page.click('button[type="submit"]');
    await expect.poll(() => page.locator(".notice-box").innerText()).toContain("do not match");
    await page.fill('input[name="username"]', inject("adminUser"));
    await page.fill('input[name="password"]', inject("adminPassword"));
    await page.click('button[type="submit"]');
    await expect.poll(() => new URL(page.url()).pathname).toBe(target);
    expect(await page.locator("h1").innerText()).toBe(`${data.owner}/widgets`);
    await page.click("text=Sign out");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/app/-/login");
    await page.goto(`${base()}${target}`);
    expect(new URL(page.url()).pathname).toBe("/app/-/login");
    await fresh.close();
  });

  it("rejects a wrong password", async () => {
    const wrong = await browser.newContext({ extraHTTPHeaders: basicAuth("nope") });
    const res = await wrong.request.get(`${base()}/app`);
    expect(res.status()).toBe(401);
    expect(res.headers()["www-authenticate"]).toMatch(/^Basic/);
    await wrong.close();
  });

  it("never runs hostile conversation content", async () => {
    const page = await context.newPage();
    let dialogs = 0;
    page.on("dialog", async (d) => {
      dialogs++;
      await d.dismiss();
    });
    const res = await page.goto(`${base()}/app/${data.owner}/widgets/${data.sessions.xss?.shas[0]}`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    for (const d of await page.locator("details").all()) await d.evaluate((el) => el.setAttribute("open", ""));
    for (const f of await page.locator("a.fold").all()) await f.click();
    await page.waitForTimeout(300);
    expect(dialogs).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("main script, main iframe, main svg, main [onerror], main [onload]").count()).toBe(0);
    expect(await page.locator('main a[href^="javascript:"]').count()).toBe(0);
    expect(await page.locator("main").innerText()).toContain('<script>window.__xss = 1; alert("xss")</script>');
    // The tool results are attached (the hostile transcript is one unbroken branch).
    expect(await page.locator("main").innerText()).not.toContain("abandoned branches");
    expect(await page.locator('details.tool .pill:text("no result")').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/hostile-content.png`, fullPage: true });
  });

  it("looks right at phone width and in the dark theme", async () => {
    const sha = data.sessions.claudeBackoff?.shas[1];
    for (const [name, viewport, scheme] of [
      ["permalink-phone-light", { width: 390, height: 844 }, "light"],
      ["permalink-phone-dark", { width: 390, height: 844 }, "dark"],
      ["permalink-desktop-dark", { width: 1280, height: 900 }, "dark"],
    ] as const) {
      const ctx = await browser.newContext({
        viewport,
        colorScheme: scheme,
        extraHTTPHeaders: basicAuth(inject("adminPassword")),
      });
      const page = await ctx.newPage();
      await page.goto(`${base()}/app/${data.owner}/widgets/${sha}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, name).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
      if (name === "permalink-phone-light") {
        await page.goto(`${base()}/app/${data.owner}/widgets`);
        await page.screenshot({ path: `${SCREENSHOTS}/timeline-phone.png`, fullPage: true });
      }
      await ctx.close();
    }
    const page = await open(`/app/${data.owner}/widgets`);
    await page.screenshot({ path: `${SCREENSHOTS}/timeline-desktop.png`, fullPage: true });
  });
});
