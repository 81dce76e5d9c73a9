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
    }
    expect(f.growth).toHaveLength(2);
    for (const g of f.growth) expect(g.newRawBytes).toBeGreaterThan(0);
    expect(f.downloads.map((d) => d.exact)).toEqual([true, true]);
    expect(scaleReport(f)).toContain("Permalink time, largest / smallest session");
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}, 180_000);
