import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { BUILT_CONFIG, ROOT } from "../local/server.ts";

it("bundles for a real deploy (wrangler deploy --dry-run) with the D1 and R2 bindings", () => {
  const outdir = mkdtempSync(join(tmpdir(), "residue-deploy-"));
  try {
    const result = spawnSync(
      join(ROOT, "node_modules/.bin/wrangler"),
      ["deploy", "--dry-run", "--config", BUILT_CONFIG, "--outdir", outdir],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
        timeout: 120_000,
      },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/env\.DB\s+\(residue\)\s+D1 Database/);
    expect(output).toMatch(/env\.BUCKET\s+\(residue-sessions\)\s+R2 Bucket/);
    expect(output).toContain("--dry-run: exiting now.");
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
