// The install scripts as the server renders them: valid POSIX sh (checked by dash and bash), the origin and
// version filled in, and nothing that could break out of their quotes accepted.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { renderInstaller } from "../src/release/installers.ts";

describe("install scripts", () => {
  it("fill in the server's origin and release, and parse under dash and bash", () => {
    const sh = renderInstaller("sh", "https://residue.example.com", "1.2.3");
    expect(sh).toContain("SERVER='https://residue.example.com'\nVERSION='1.2.3'\n");
    expect(sh).not.toContain("__RESIDUE_");
    for (const shell of ["dash", "bash"]) {
      const r = spawnSync(shell, ["-n"], { input: sh, encoding: "utf8" });
      expect([shell, r.status, r.stderr]).toEqual([shell, 0, ""]);
    }
    const ps1 = renderInstaller("ps1", "http://127.0.0.1:8787", "");
    expect(ps1).toContain("$Server = 'http://127.0.0.1:8787'\n  $Version = ''\n");
    expect(ps1).not.toContain("__RESIDUE_");
  });

  it("refuse an origin or version that could end the quote or expand in the shell", () => {
    for (const origin of ["http://x'$(id)'", "http://a b", "file:///etc", "http://x`id`", "javascript:alert(1)"]) {
      expect(() => renderInstaller("sh", origin, "1.0.0"), origin).toThrow(/refusing to bake the origin/);
    }
    expect(() => renderInstaller("ps1", "http://x", "1.0.0'; calc; '")).toThrow(/refusing to bake the version/);
  });
});
