import { describe, expect, it } from "vitest";
import { parseRemoteUrl } from "../src/git/remote-url.ts";
import { install, uninstall } from "../src/hooks/blocks.ts";

describe("repo identity from the remote URL", () => {
  it.each([
    ["git@github.com:acme/widgets.git", "github.com", "acme", "widgets"],
    ["git@github.com:acme/widgets", "github.com", "acme", "widgets"],
    ["https://github.com/acme/widgets.git", "github.com", "acme", "widgets"],
    ["https://github.com/acme/widgets", "github.com", "acme", "widgets"],
    ["https://user:pw@github.com/acme/widgets.git", "github.com", "acme", "widgets"],
    ["https://github.com/acme/widgets.git/", "github.com", "acme", "widgets"],
    ["ssh://git@github.com/acme/widgets.git", "github.com", "acme", "widgets"],
    ["ssh://git@gitlab.example.com:2222/acme/widgets.git", "gitlab.example.com", "acme", "widgets"],
    ["https://gitlab.example.com:8443/acme/widgets.git", "gitlab.example.com:8443", "acme", "widgets"],
    ["https://gitlab.example.com:443/acme/widgets.git", "gitlab.example.com", "acme", "widgets"],
    ["git@gitlab.com:acme/platform/tools/widgets.git", "gitlab.com", "acme/platform/tools", "widgets"],
    ["https://gitlab.com/acme/platform/tools/widgets", "gitlab.com", "acme/platform/tools", "widgets"],
    ["git://git.example.org/acme/widgets.git", "git.example.org", "acme", "widgets"],
    ["GitHub.com:Acme/Widgets.git", "github.com", "Acme", "Widgets"],
    ["https://dev.azure.com/acme/project/_git/widgets", "dev.azure.com", "acme/project", "widgets"],
    ["ssh://git@bitbucket.org/~dev/widgets.git", "bitbucket.org", "dev", "widgets"],
  ])("%s → %s %s %s", (url, host, owner, name) => {
    expect(parseRemoteUrl(url)).toEqual({ host, owner, name });
  });

  it.each([
    "",
    "/srv/git/widgets.git",
    "./widgets",
    "file:///srv/git/widgets.git",
    "https://github.com/widgets",
    "C:\\repos\\w",
    "not a url",
    "git@host:../../etc",
  ])("rejects %j", (url) => expect(parseRemoteUrl(url)).toBeNull());
});

describe("hook blocks", () => {
  const body = "echo residue";
  it("creates a hook, then is idempotent", () => {
    const first = install(null, "post-commit", body);
    expect(first.kind).toBe("write");
    const content = (first as { content: string }).content;
    expect(content.startsWith("#!/bin/sh\n")).toBe(true);
    expect(install(content, "post-commit", body).kind).toBe("unchanged");
    expect(uninstall(content)).toBeNull();
  });
  it("goes right after the shebang of a shell hook that ends in exec, and comes out cleanly", () => {
    const existing = "#!/usr/bin/env bash\nset -e\nexec npx lint-staged\n";
    const result = install(existing, "pre-push", body) as { content: string };
    expect(result.content.indexOf("echo residue")).toBeLessThan(result.content.indexOf("exec npx"));
    expect(uninstall(result.content)).toBe(existing);
  });
  it("wraps a hook in another language", () => {
    const result = install("#!/usr/bin/env python3\nprint('hi')\n", "post-commit", body);
    expect(result).toMatchObject({ kind: "wrap", chainedName: "post-commit.residue-chained" });
  });
});
