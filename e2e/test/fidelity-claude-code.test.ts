// Older Claude Code shapes on a commit's page in a real browser, pushed by the compiled CLI: the history
// before a compaction folded under its label, an inline sub-agent under its Task call, and unknown records
// as one quiet line per run.
import { cpSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Sandbox } from "../../cli/test/support/harness.ts";
import { launch, SCREENSHOTS } from "../support/browser.ts";
import { FIXTURES, sessionWithCommits } from "../support/seed.ts";

let browser: Browser;
let context: BrowserContext;
let sb: Sandbox;
const shas = new Map<string, string>();

beforeAll(async () => {
  sb = new Sandbox();
  sb.residue(["init"]);
  for (const name of ["compaction-logical-parent", "sidechain-inline", "unknown-kinds"]) {
    const path = join(sb.dir, `${name}.jsonl`);
    cpSync(join(FIXTURES, "claude-code/versions", `${name}.jsonl`), path);
    shas.set(name, sessionWithCommits(sb, "claude-code", path, name, [1]).shas[0] as string);
  }
  browser = await launch();
  const basic = btoa(`${inject("adminUser")}:${inject("adminPassword")}`);
  context = await browser.newContext({ extraHTTPHeaders: { authorization: `Basic ${basic}` } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

async function commitPage(name: string): Promise<Page> {
  const page = await context.newPage();
  const res = await page.goto(`${inject("baseUrl")}/app/${sb.owner}/widgets/${shas.get(name)}`);
  expect(res?.status()).toBe(200);
  await page.waitForLoadState("load");
  return page;
}

describe("Claude Code shapes in the browser", () => {
  it("folds the conversation before a compaction under its label, and opens it on a click", async () => {
    const page = await commitPage("compaction-logical-parent");
    const history = page.locator("details.history");
    expect(await history.count()).toBe(1);
    expect(await history.locator("summary").innerText()).toBe("Earlier conversation, before compaction (4 messages)");
    // A reply: the first prompt is also the session's title, shown above the conversation.
    const earlier = page.getByText("I wrote src/retry.ts with the same signature");
    expect(await earlier.isVisible()).toBe(false);
    expect(await page.getByText("Removed lodash from package.json").isVisible()).toBe(true);
    await history.locator("summary").click();
    await expect.poll(() => earlier.isVisible()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/claude-compaction-fold.png`, fullPage: true });
    await page.close();
  });

  it("shows an inline sub-agent's conversation inside the Task call", async () => {
    const page = await commitPage("sidechain-inline");
    const task = page.locator('details.tool[data-tool="Task"]');
    await task.locator("summary").first().click();
    expect(await task.locator(".children article.msg").count()).toBe(3);
    expect(await task.locator(".children").innerText()).toContain("Two callers: src/a.ts passes {retries: 3}");
    await page.close();
  });

  it("shows each run of unknown records as one quiet line that lists them", async () => {
    const page = await commitPage("unknown-kinds");
    const lines = page.locator("details.raw");
    expect(await lines.locator("> summary").allInnerTexts()).toEqual([
      "3 records of unknown kinds",
      "1 record of an unknown kind",
      "2 records of unknown kinds",
    ]);
    // A run on its own is a line, not a message with a head.
    expect(await page.locator("article.msg.quiet .msg-head").count()).toBe(0);
    expect(await page.locator("article.msg.quiet").count()).toBe(2);
    await lines.first().locator("> summary").click();
    expect(await lines.first().locator(".label").allTextContents()).toEqual(["hologram-state", "telemetry-latch", "quantum-ledger"]);
    await page.screenshot({ path: `${SCREENSHOTS}/claude-unknown-runs.png`, fullPage: true });
    await page.close();
  });
});
