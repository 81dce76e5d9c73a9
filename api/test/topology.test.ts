// Which commit a session's part continues from: pure, on small commit graphs.
import { describe, expect, it } from "vitest";
import type { SessionCommitLink } from "../src/db/commits.ts";
import { continuity, previousLink } from "../src/read/topology.ts";

const link = (sha: string, committed_at = 0, transcript_line: number | null = null): SessionCommitLink => ({
  sha,
  message: sha,
  committed_at,
  transcript_line,
});

describe("continuity by git's order", () => {
  it("takes the nearest linked ancestor, first parent first, walking through commits of other sessions", () => {
    // a ← x ← m, and m also merges b (a ← b); x belongs to another session.
    const ancestry = new Map([
      ["a", []],
      ["b", ["a"]],
      ["x", ["a"]],
      ["m", ["x", "b"]],
    ]);
    const links = [link("m", 1), link("b", 2), link("a", 3)];
    expect(previousLink("m", links, ancestry)?.sha).toBe("b");
    expect(continuity("a", links, ancestry)).toEqual({ previous: undefined, next: links[1] });
    expect(continuity("b", links, ancestry).next?.sha).toBe("m");
  });

  it("stops where stored commits end, and uses the conversation's order only where parents are unknown", () => {
    const links = [link("a", 1, 5), link("b", 2, 9)];
    expect(previousLink("b", links, new Map([["b", ["gone"]]]))).toBeUndefined();
    expect(previousLink("b", links, new Map([["b", null]]))?.sha).toBe("a");
    expect(previousLink("b", links, new Map())?.sha).toBe("a");
  });

  it("survives a cycle in what clients sent", () => {
    const ancestry = new Map([
      ["a", ["b"]],
      ["b", ["a"]],
    ]);
    expect(previousLink("a", [link("a")], ancestry)).toBeUndefined();
  });
});
