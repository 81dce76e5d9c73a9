// Debian's Chromium driven by playwright-core: no browser download, flags that keep it off the network.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ROOT } from "../../cli/test/support/harness.ts";

export const SCREENSHOTS = join(ROOT, "test-results/screenshots");

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(path))
    throw new Error(`No Chromium at ${path}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  return path;
}

export function launch(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page of a fresh browser context, signed in through the form and back on `path`. */
export async function signedInPage(browser: Browser, baseUrl: string, path: string, user: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${baseUrl}${path}`);
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((url) => url.pathname === path), page.click('button[type="submit"]')]);
  return page;
}
