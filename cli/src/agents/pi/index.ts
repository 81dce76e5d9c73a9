// pi: an extension residue writes calls `residue session start/end` itself, so no hooks to read.
import { piFormat } from "@residue/formats/pi";
import { type AgentSpec, noExtraFiles } from "../spec.ts";
import { detectBy, fileAdapter } from "../wiring.ts";
import { piExtension } from "./extension.ts";

export const pi: AgentSpec = {
  format: piFormat,
  hooks: null,
  setup: fileAdapter({
    name: "pi",
    summary: "pi coding agent: an extension in .pi/extensions/residue.ts",
    file: [".pi", "extensions", "residue.ts"],
    text: piExtension,
    detect: detectBy(".pi", "pi"),
  }),
  discover: null,
  extraFiles: noExtraFiles,
  edits: { write: ["edit", "write"], shell: ["bash"] },
};
