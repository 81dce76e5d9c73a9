// A rebuild of the app (the test suite's global setup, `npm run deploy`) while `npm start` serves must
// not take the running app's script and styles away.
import { expect, it } from "vitest";
import { buildApp } from "../api/local/server.ts";
import { dedicatedServer } from "./support/server.ts";

const server = dedicatedServer();

/** The login page's own script and stylesheets, as a browser would fetch them. */
async function assetStatuses(): Promise<Record<string, number>> {
  const html = await (await fetch(`${server().url}/app/-/login`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
  expect(assets.length).toBeGreaterThanOrEqual(2);
  const statuses: Record<string, number> = {};
  for (const path of ["/residue.js", ...assets]) statuses[path] = (await fetch(`${server().url}${path}`)).status;
  return statuses;
}

it("keeps serving its assets after the app is rebuilt", async () => {
  const before = await assetStatuses();
  expect(
    Object.values(before).every((s) => s === 200),
    JSON.stringify(before),
  ).toBe(true);
  await buildApp();
  const after = await assetStatuses();
  expect(after).toEqual(before);
}, 180_000);
