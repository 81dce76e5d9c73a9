// Correcting links on the permalink in a real browser, signed in through the form: unlink a conversation,
// link another by a prefix of its id, and the unlink holds when the CLI posts the automatic link again.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../api/local/server.ts";
import { api, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo, uploadData } from "../../api/test/support/client.ts";
import { launch, SCREENSHOTS, signedInPage } from "../support/browser.ts";

const transcript = readFileSync(join(ROOT, "e2e/fixtures/claude-code/basic.jsonl"), "utf8");
const repo = uniqueRepo();
const [hooked, missed] = [sessionMeta(transcript), sessionMeta(transcript, { title: "Missed by the hooks" })];
const sha = fakeSha(hooked.id);
const auto = commitMapping(sha, [], {
  parents: [],
  sessions: [{ session_id: hooked.id, position: { line: 11 }, reason: { kind: "files", files: ["src/http.ts"] } }],
});
const permalink = `/app/${repo.owner}/${repo.name}/${sha}`;
let browser: Browser;
let page: Page;

const linkedIds = async () =>
  (
    (await (await api(`/repos/${repo.owner}/${repo.name}/${sha}`)).json()) as { commit: { sessions: { id: string }[] } }
  ).commit.sessions.map((s) => s.id);

beforeAll(async () => {
  for (const s of [hooked, missed]) await uploadData(s.id, transcript);
  expect((await postJson("/sessions", { repo, sessions: [hooked, missed], commits: [auto] })).status).toBe(200);
  browser = await launch();
  page = await signedInPage(browser, inject("baseUrl"), permalink, inject("adminUser"), inject("adminPassword"));
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe("links on the permalink", () => {
  it("says why a conversation is linked, unlinks it, and the next push does not bring it back", async () => {
    const section = page.locator(`section[id="s-${hooked.id}"]`);
    expect(await section.locator(".reason").innerText()).toBe("edited src/http.ts, changed here");
    await section.getByRole("button", { name: "Unlink" }).click();
    await expect.poll(() => page.locator("main").innerText()).toContain("No conversation is linked to this commit.");
    expect(new URL(page.url()).pathname).toBe(permalink);
    expect(await linkedIds()).toEqual([]);

    expect((await postJson("/sessions", { repo, commits: [auto] })).status).toBe(200);
    await page.reload();
    expect(await page.locator("main").innerText()).toContain("No conversation is linked to this commit.");
  });

  it("links a conversation by a prefix of its id, and explains one it cannot find", async () => {
    await page.fill('form.link-session input[name="session"]', "7e3b9d51-0000");
    await page.getByRole("button", { name: "Link", exact: true }).click();
    await expect.poll(() => page.locator('[role="alert"]').innerText()).toContain("No session 7e3b9d51-0000 in");

    await page.fill('form.link-session input[name="session"]', missed.id.slice(0, 8));
    await page.getByRole("button", { name: "Link", exact: true }).click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#s-${missed.id}`);
    const section = page.locator(`section[id="s-${missed.id}"]`);
    expect(await section.locator(".reason").innerText()).toBe("linked by hand");
    expect(await section.innerText()).toContain("Missed by the hooks");
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    expect(await linkedIds()).toEqual([missed.id]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SCREENSHOTS}/permalink-linked-by-hand.png` });
  });

  it("refuses the same form posted from another site", async () => {
    const evil = await page.context().request.post(`${inject("baseUrl")}${permalink}`, {
      headers: { origin: "https://evil.example" },
      form: { action: "unlink", session: missed.id },
    });
    expect(evil.status()).toBe(403);
    expect(await linkedIds()).toEqual([missed.id]);
  });
});
