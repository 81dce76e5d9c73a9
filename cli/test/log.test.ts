import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { appendLog } from "../src/state/log.ts";

it("rotates .residue/log past 512 KB, keeping the previous file", () => {
  const dir = mkdtempSync(join(tmpdir(), "residue-log-"));
  writeFileSync(join(dir, "log"), "x".repeat(600 * 1024));
  appendLog(dir, "after rotation\nsecond line", Date.parse("2026-11-24T12:00:00Z"));
  expect(statSync(join(dir, "log.1")).size).toBe(600 * 1024);
  expect(readFileSync(join(dir, "log"), "utf8")).toMatch(/^2026-11-24T12:00:00.000Z \[\d+\] after rotation\n {4}second line\n$/);
  // A log that cannot be written never throws at the hook.
  const file = join(dir, "a-file");
  writeFileSync(file, "");
  expect(() => appendLog(join(file, "residue"), "x")).not.toThrow();
});
