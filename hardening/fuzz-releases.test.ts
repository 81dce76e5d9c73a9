// Property-based fuzzing of the public download route, `/releases/<version>/<file>`, without credentials:
// beside a release's files the bucket holds a decoy under the same prefix and a session object. Property:
// only the contract's file names under the release's version are served; every other spelling (traversal,
// encodings, near-miss names, junk) is refused, never a 5xx and never another object's bytes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RELEASE_FILES, releaseKey } from "@residue/protocol/release";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { putObjects } from "../cli/release/publish.ts";
import { recordFigure, volume } from "./support/figures.ts";

const VERSION = "0.0.1-fuzz";
const RUNS = volume(2000, 300);
const scratch = mkdtempSync(join(tmpdir(), "residue-fuzz-releases-"));
/** Each object's body names it, so a response shows which object it came from. */
const body = (key: string) => `object ${key}\n`;
const served = [...RELEASE_FILES];
const decoys = [releaseKey(VERSION, "decoy"), releaseKey(VERSION, "residue-linux-x64.bak"), "releases/secret", "sessions/fuzz/raw"];

beforeAll(async () => {
  const keys = [...served.map((f) => releaseKey(VERSION, f)), ...decoys];
  const uploads = keys.map((key, i) => {
    const file = join(scratch, String(i));
    writeFileSync(file, body(key));
    return { key, file, contentType: "application/octet-stream" };
  });
  await putObjects(uploads, { local: inject("persistTo") });
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** GET with the path exactly as written (fetch would resolve dot segments and backslashes first). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(inject("baseUrl"));
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: "GET", path, timeout: 15_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

const near = (s: string) =>
  fc.oneof(
    fc.constant(s),
    fc.constantFrom(`${s}/`, `${s}%00`, `${s}.`, s.toUpperCase(), encodeURIComponent(s), s.replaceAll(".", "%2e"), `./${s}`, `x/../${s}`),
  );
const junk = fc.oneof(
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom("", ".", "..", "%2e%2e", "..%2f..", "%2f", "\\", "..\\..", "current.json", "decoy", "secret", "raw", "sessions"),
);
const version = fc.oneof({ weight: 3, arbitrary: near(VERSION) }, { weight: 1, arbitrary: junk });
const file = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...served).chain(near) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("decoy", "residue-linux-x64.bak", "../secret", "..%2fsecret", "../../sessions/fuzz/raw").chain(near),
  },
  { weight: 1, arbitrary: junk },
);

describe("public downloads under fuzzing", () => {
  it("serve exactly the contract's files of a release, and nothing else", async () => {
    const statuses = new Map<number, number>();
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(version, file, async (v, f) => {
        const path = `/releases/${v}/${f}`;
        const res = await rawGet(path);
        requests++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, path).toBeLessThan(500);
        for (const key of decoys) expect(res.body, path).not.toContain(body(key));
        if (res.status === 200) {
          const name = served.find((s) => res.body === body(releaseKey(VERSION, s)));
          expect(name, `${path} served ${JSON.stringify(res.body.slice(0, 80))}`).toBeDefined();
        }
      }),
      { numRuns: RUNS },
    );
    recordFigure({
      section: "Public downloads",
      what: `${RUNS} fuzzed /releases/<version>/<file> paths without credentials`,
      result: `${requests} requests, 0 × 5xx, no decoy served; statuses ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(", ")}`,
    });
  }, 300_000);

  it("serve each file by its canonical path (the control)", async () => {
    for (const name of served) {
      const res = await rawGet(`/releases/${VERSION}/${name}`);
      expect([name, res.status, res.body]).toEqual([name, 200, body(releaseKey(VERSION, name))]);
    }
  });
});
