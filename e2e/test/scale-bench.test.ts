// A smoke run of bench/scale.ts on two tiny sessions: the harness pushes through the CLI, views, grows,
// downloads and reports. The figures themselves come from `npm run bench:scale` (bench/RESULTS.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runScaleBench, scaleReport } from "../../bench/scale.ts";

it("the scale bench pushes, views, grows and downloads sessions, and reports them", async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "residue-scale-smoke-"));
  try {
    const f = await runScaleBench({ turns: [8, 24], runs: 1, cacheDir, growthTurns: 24 });
    expect(f.views.map((v) => v.turns)).toEqual([8, 24]);
    for (const v of f.views) {
      expect(v.responseKb).toBeGreaterThan(0);
      expect(v.peakMb).toBeGreaterThan(0);
      for (const cpu of Object.values(v.cpu)) expect(cpu).toBeGreaterThan(0);
    }
    expect(f.floorCpuMs).toBeGreaterThan(0);
    // Two growths of the growth session, then the two view sessions grown by 1 %.
    expect(f.growth.map((g) => g.label)).toEqual([
      "100 % of 24 turns after 90 %",
      "100 % of 24 turns after 99 %",
      "100 % of 8 turns after 99 %",
      "100 % of 24 turns after 99 %",
    ]);
    for (const g of f.growth) {
      expect(g.newRawBytes).toBeGreaterThan(0);
      expect(g.secondPushSeconds).toBeGreaterThan(0);
    }
    // gzip, ?plain=1, and a client that names no encoding: every one the transcript byte for byte.
    expect(f.downloads.map((d) => d.exact)).toEqual([true, true, true]);
    expect(scaleReport(f)).toContain("Permalink time, largest / smallest session");
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}, 400_000);
