// Privacy on the permalink in a real browser, signed in through the form (issue #12): each conversation says
// how many values were redacted before upload; "Delete…" asks first on a page of its own, deletes only when
// confirmed, comes back with a message, and the deleted conversation does not return with the next push.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../api/local/server.ts";
import { api, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo, uploadData } from "../../api/test/support/client.ts";
import { launch, SCREENSHOTS, signedInPage } from "../support/browser.ts";

const transcript = readFileSync(join(ROOT, "e2e/fixtures/claude-code/basic.jsonl"), "utf8");
const repo = uniqueRepo();
const kept = sessionMeta(transcript, { title: "Kept conversation", redacted: { "aws-access-token": 2, "generic-api-key": 1 } });
const doomed = sessionMeta(transcript, { title: "Conversation to delete", redacted: { "private-key": 1 } });
const older = sessionMeta(transcript, { title: "Uploaded by an older CLI" });
const [shared, only] = [fakeSha(doomed.id), fakeSha(`${doomed.id}only`)];
const mappings = [commitMapping(shared, [kept.id, doomed.id, older.id]), commitMapping(only, [doomed.id], { committed_at: 1 })];
const permalink = `/app/${repo.owner}/${repo.name}/${shared}`;
let browser: Browser;
let page: Page;

const linkedIds = async (sha: string) =>
  (
    (await (await api(`/repos/${repo.owner}/${repo.name}/${sha}`)).json()) as { commit: { sessions: { id: string }[] } }
  ).commit.sessions.map((s) => s.id);
const section = (id: string) => page.locator(`section[id="s-${id}"]`);

beforeAll(async () => {
  for (const s of [kept, doomed, older]) await uploadData(s.id, transcript);
  expect((await postJson("/sessions", { repo, sessions: [kept, doomed, older], commits: mappings })).status).toBe(200);
  browser = await launch();
  page = await signedInPage(browser, inject("baseUrl"), permalink, inject("adminUser"), inject("adminPassword"));
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe("privacy on the permalink", () => {
  it("says per conversation how many values were redacted, and nothing for an upload that did not count", async () => {
    expect(await section(kept.id).locator("[data-redacted]").innerText()).toBe(
      "3 values redacted (aws-access-token: 2, generic-api-key: 1)",
    );
    expect(await section(doomed.id).locator("[data-redacted]").innerText()).toBe("1 value redacted (private-key: 1)");
    expect(await section(older.id).locator("[data-redacted]").count()).toBe(0);
    await page.goto(`${inject("baseUrl")}/app/-/session/${kept.id}`);
    expect(await page.locator("[data-redacted]").innerText()).toBe("3 values redacted (aws-access-token: 2, generic-api-key: 1)");
    await page.goto(`${inject("baseUrl")}${permalink}`);
  });

  it("asks before deleting: Cancel keeps the conversation", async () => {
    await section(doomed.id).getByRole("link", { name: "Delete…" }).click();
    await page.waitForURL((url) => url.pathname === `/app/-/delete/${doomed.id}`);
    const text = await page.locator("main").innerText();
    expect(text).toContain("Delete this conversation?");
    expect(text).toContain("Conversation to delete");
    expect(text).toContain("links to 2 commits");
    await page.screenshot({ path: `${SCREENSHOTS}/delete-confirmation.png` });
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.waitForURL((url) => url.pathname === permalink);
    expect(await linkedIds(shared)).toEqual(expect.arrayContaining([doomed.id]));
  });

  it("refuses the delete posted from another site, or without the confirming POST", async () => {
    const evil = await page.context().request.post(`${inject("baseUrl")}/app/-/delete/${doomed.id}`, {
      headers: { origin: "https://evil.example" },
      form: { back: permalink },
    });
    expect(evil.status()).toBe(403);
    const crossSite = await page.context().request.post(`${inject("baseUrl")}/app/-/delete/${doomed.id}`, {
      headers: { "sec-fetch-site": "cross-site" },
      form: { back: permalink },
    });
    expect(crossSite.status()).toBe(403);
    expect((await page.context().request.get(`${inject("baseUrl")}/app/-/delete/${doomed.id}`)).status()).toBe(200);
    expect(await linkedIds(shared)).toEqual(expect.arrayContaining([doomed.id]));
  });

  it("deletes when confirmed, comes back to the permalink with a message, and the next push does not bring it back", async () => {
    await section(doomed.id).getByRole("link", { name: "Delete…" }).click();
    await page.waitForURL((url) => url.pathname === `/app/-/delete/${doomed.id}`);
    await Promise.all([
      page.waitForURL((url) => url.pathname === permalink && url.searchParams.get("deleted") === doomed.id),
      page.getByRole("button", { name: "Delete conversation" }).click(),
    ]);
    expect(await page.locator('[role="status"]').innerText()).toContain(`Deleted conversation ${doomed.id.slice(0, 8)}`);
    expect(await section(doomed.id).count()).toBe(0);
    expect(await section(kept.id).count()).toBe(1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SCREENSHOTS}/deleted-conversation.png` });
    expect((await api(`/sessions/${doomed.id}`)).status).toBe(404);

    // A stale queue pushes it again: refused and named, the commits keep their other conversations.
    const again = await postJson("/sessions", { repo, sessions: [doomed], commits: mappings });
    expect(((await again.json()) as { deleted: string[] }).deleted).toEqual([doomed.id]);
    await page.reload();
    expect(await section(doomed.id).count()).toBe(0);
    expect((await linkedIds(shared)).sort()).toEqual([kept.id, older.id].sort());

    // The commit whose only conversation it was still has its permalink.
    await page.goto(`${inject("baseUrl")}/app/${repo.owner}/${repo.name}/${only}`);
    expect(await page.locator("main").innerText()).toContain("No conversation is linked to this commit.");
  });

  it("from the session's own page, comes back to the repo's page", async () => {
    await page.goto(`${inject("baseUrl")}/app/-/session/${older.id}`);
    await page.getByRole("link", { name: "Delete…" }).click();
    await Promise.all([
      page.waitForURL((url) => url.pathname === `/app/${repo.owner}/${repo.name}`),
      page.getByRole("button", { name: "Delete conversation" }).click(),
    ]);
    expect(await page.locator('[role="status"]').innerText()).toContain(`Deleted conversation ${older.id.slice(0, 8)}`);
    expect((await page.context().request.get(`${inject("baseUrl")}/app/-/delete/${older.id}`)).status()).toBe(404);
  });
});
