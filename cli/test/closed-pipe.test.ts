// A reader that stops early (`residue --help | head -1`) must not turn into a crash with a stack trace.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BINARY } from "./support/harness.ts";

describe("output into a pipe closed early", () => {
  it("residue --help into a pipe nobody reads any more: exit 0, nothing on stderr", () => {
    const run = spawnSync("bash", ["-c", `set -o pipefail; (sleep 0.3; "${BINARY}" --help) | true`], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
