import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, inject, it } from "vitest";
import { Sandbox } from "./support/harness.ts";

it("logs in after checking the server and token, saving the config with mode 0600", () => {
  const sb = new Sandbox();
  sb.env = { ...sb.env, RESIDUE_URL: "", RESIDUE_TOKEN: "" };
  const bad = sb.residue(["login", "--url", inject("baseUrl"), "--token", "wrong"]);
  expect(bad.status).toBe(4);
  expect(bad.stderr).toContain("rejected the token");
  const ok = sb.residue(["login", "--url", `${inject("baseUrl")}/`, "--token", inject("authToken")]);
  expect(ok.status, ok.stderr).toBe(0);
  const path = join(sb.home, ".residue/config");
  expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ url: inject("baseUrl"), token: inject("authToken") });
  expect(statSync(path).mode & 0o777).toBe(0o600);
});

it("doctor reports each problem with its fix, and passes once everything is in place", () => {
  const sb = new Sandbox();
  sb.git("remote", "remove", "origin");
  const broken = sb.residue(["doctor"], { env: { RESIDUE_TOKEN: "wrong" } });
  expect(broken.status).toBe(1);
  expect(broken.stdout).toMatch(/✗ hook post-commit .*\n {4}fix: run `residue init`/);
  expect(broken.stdout).toMatch(/✗ repo identity .*no git remote/);
  expect(broken.stdout).toMatch(/✗ token accepted/);
  sb.git("remote", "add", "origin", sb.remoteUrl);
  sb.residue(["init"]);
  const ok = sb.residue(["doctor", "--json"]);
  expect(ok.status, ok.stdout).toBe(0);
  expect(JSON.parse(ok.stdout).every((c: { ok: boolean }) => c.ok)).toBe(true);
});
