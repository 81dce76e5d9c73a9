// One spec per agent: every agent of the enum has every piece, and "which tool input names a file" is
// answered in one place that why, search extraction and the UI all use. In-process, no binary.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { FORMATS, filesTouched } from "@residue/formats";
import { editView } from "@residue/formats/diff";
import { searchDocuments } from "@residue/formats/search-text";
import { toolSummary } from "@residue/formats/view";
import { AGENTS } from "@residue/protocol";
import { describe, expect, it } from "vitest";
import { AGENT_SPECS } from "../src/agents/index.ts";
import { ROOT } from "./support/harness.ts";

describe("agent specs", () => {
  it.each(AGENTS)("%s has every piece", (agent) => {
    const spec = AGENT_SPECS[agent];
    expect(spec.format).toBe(FORMATS[agent]);
    for (const piece of ["map", "prompt", "isMessageLine", "filesTouched"] as const) expect(typeof spec.format[piece]).toBe("function");
    expect(spec.setup.name).toBe(agent);
    for (const piece of ["setup", "detect"] as const) expect(typeof spec.setup[piece]).toBe("function");
    expect(typeof spec.extraFiles).toBe("function");
    expect(spec.hooks === null || (spec.hooks.start.length > 0 && spec.hooks.end.length > 0)).toBe(true);
    expect(spec.discover === null || typeof spec.discover === "function").toBe(true);
  });

  it("has no spec for anything outside the enum", () => {
    expect(Object.keys(AGENT_SPECS).sort()).toEqual([...AGENTS].sort());
  });

  it("has an agent folder for each agent and nothing else", () => {
    const dirs = readdirSync(join(ROOT, "cli/src/agents"), { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(dirs.map((d) => d.name).sort()).toEqual([...AGENTS].sort());
  });
});

describe("files a tool call touches", () => {
  it("reads each agent's convention", () => {
    expect(filesTouched({ file_path: "/r/a.ts", old_string: "x" })).toEqual(["/r/a.ts"]);
    expect(filesTouched({ notebook_path: "n.ipynb" })).toEqual(["n.ipynb"]);
    expect(filesTouched({ path: "b.ts" })).toEqual(["b.ts"]);
    expect(filesTouched({ filePath: "c.ts" })).toEqual(["c.ts"]);
    expect(filesTouched("*** Begin Patch\n*** Update File: d.ts\n@@\n-a\n+b\n*** Add File: e.ts\n+x\n*** End Patch")).toEqual([
      "d.ts",
      "e.ts",
    ]);
    expect(filesTouched({ command: "ls" })).toEqual([]);
    expect(filesTouched(null)).toEqual([]);
  });

  it("is what search extraction and the UI use", () => {
    const conversation = FORMATS.opencode.map(
      `${JSON.stringify({
        type: "message",
        info: { id: "m1", role: "assistant", time: { created: 1 } },
        parts: [{ type: "tool", tool: "write", callID: "t", state: { status: "completed", input: { filePath: "/r/f.ts" }, output: "" } }],
      })}\n`,
    );
    expect(searchDocuments(conversation).map((d) => d.files)).toContain("/r/f.ts");
    expect(toolSummary("write", { filePath: "/r/f.ts" })).toBe("/r/f.ts");
    expect(editView("write", { path: "g.ts", content: "x" })?.[0]?.path).toBe("g.ts");
  });

  it("is the only list of input keys that name a file", () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|astro)$/.test(e.name) ? [join(dir, e.name)] : [],
      );
    // A key read by name, or a pattern for patch file headers.
    const keys = /["'.](file_path|filePath|notebook_path)\b|File: \(/;
    const naming = ["cli/src", "formats/src", "site/src", "api/src"]
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => keys.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    const formats = AGENTS.map((a) => `formats/src/${a}.ts`);
    expect(naming.filter((f) => !formats.includes(f))).toEqual([]);
    for (const user of ["cli/src/commands/why/why.ts", "formats/src/search-text.ts", "formats/src/view.ts", "formats/src/diff.ts"])
      expect(readFileSync(join(ROOT, user), "utf8")).toContain("filesTouched(");
  });
});
