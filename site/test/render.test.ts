import { editView } from "@residue/formats/diff";
import type { Message } from "@residue/formats/model";
import { describe, expect, it } from "vitest";
import { segment } from "../src/lib/conversation-view.ts";
import { toolSummary, truncate } from "../src/lib/format.ts";
import { highlight, highlightCss } from "../src/lib/highlight.ts";
import { renderMarkdown } from "../src/lib/markdown.ts";

describe("markdown of untrusted text", () => {
  it.each([
    ["<script>alert(1)</script>", "&lt;script&gt;"],
    ['<img src=x onerror="alert(1)">', "&lt;img"],
    ["[x](javascript:alert(1))", ">x<"],
    ["![x](https://evil.example/p.png)", "[image: x]"],
    ["```html\n</code></pre><script>alert(1)</script>\n```", "&lt;/"],
  ])("%s is inert", (input, expected) => {
    const html = renderMarkdown(input);
    expect(html).toContain(expected);
    // Payload text may remain as visible, escaped text; no live tag, handler or javascript: link may.
    expect(html).not.toMatch(/<(script|img|iframe|svg)\b|href="javascript:|<[^>]+\sonerror=/i);
  });

  it("keeps ordinary markdown", () => {
    const html = renderMarkdown("**bold** and `code` and [docs](https://example.com)");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain('href="https://example.com" rel="nofollow noopener noreferrer"');
  });
});

describe("syntax highlighting", () => {
  it("emits classes only (the CSP allows no inline style), with a stylesheet for every color", () => {
    const html = highlight("const x = '<b>';", "ts");
    expect(html).toMatch(/<span class="l-[0-9a-f]{6} d-[0-9a-f]{6}">const<\/span>/);
    expect(html).toContain("&lt;b&gt;");
    expect(html).not.toContain("style=");
    const css = highlightCss();
    for (const c of html.matchAll(/class="(l-[0-9a-f]+) (d-[0-9a-f]+)"/g)) {
      expect(css).toContain(`.${c[1]}{`);
      expect(css).toContain(`.${c[2]}{`);
    }
  });
  it("shows unknown languages as escaped text", () => expect(highlight("<x>", "brainfuck")).toBe("&lt;x&gt;"));
});

describe("view helpers", () => {
  it("marks the part of a conversation between the previous commit and this one", () => {
    const m = (index: number, line: number) => ({ index, line, role: "user", blocks: [], timestamp: null }) as Message;
    const messages = [m(0, 2), m(1, 5), m(2, 9), m(3, 12)];
    const s = segment(messages, 5, 9);
    expect([s.earlier, s.current, s.later].map((x) => x.map((y) => y.index))).toEqual([[0, 1], [2], [3]]);
    expect(segment(messages, null, null).current).toHaveLength(4);
  });
  it("shows edits as diffs for Claude Code, pi and Codex", () => {
    expect(editView("Edit", { file_path: "a.ts", old_string: "x", new_string: "y" })).toEqual([
      {
        path: "a.ts",
        lines: [
          { kind: "-", text: "x" },
          { kind: "+", text: "y" },
        ],
      },
    ]);
    expect(editView("edit", { path: "b.ts", edits: [{ oldText: "1", newText: "2" }] })?.[0]?.lines).toHaveLength(2);
    expect(editView("apply_patch", "*** Begin Patch\n*** Update File: c.ts\n@@\n-old\n+new\n*** End Patch")).toEqual([
      {
        path: "c.ts",
        lines: [
          { kind: "@", text: "@@" },
          { kind: "-", text: "old" },
          { kind: "+", text: "new" },
        ],
      },
    ]);
    expect(editView("Bash", { command: "ls" })).toBeNull();
  });
  it("summarizes a tool call in one line and cuts long output", () => {
    expect(toolSummary("Bash", { command: "npm   test\n--watch" })).toBe("npm test --watch");
    expect(toolSummary("shell", { command: ["bash", "-lc", "ls"] })).toBe("bash -lc ls");
    expect(truncate("x".repeat(2500))).toEqual({ text: "x".repeat(2000), cut: 500 });
  });
});
