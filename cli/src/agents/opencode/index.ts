// OpenCode: a plugin residue writes exports each session to a JSONL file and registers it with
// `residue session start`, so no hooks to read.
import { openCodeFormat } from "@residue/formats/opencode";
import { type AgentSpec, noExtraFiles } from "../spec.ts";
import { detectBy, fileAdapter } from "../wiring.ts";
import { opencodePlugin } from "./plugin.ts";

export const opencode: AgentSpec = {
  format: openCodeFormat,
  hooks: null,
  setup: fileAdapter({
    name: "opencode",
    summary: "OpenCode: a plugin in .opencode/plugins/residue.js",
    file: [".opencode", "plugins", "residue.js"],
    text: opencodePlugin,
    detect: detectBy(".opencode", "opencode"),
  }),
  discover: null,
  extraFiles: noExtraFiles,
  edits: { write: ["edit", "write", "patch"], shell: ["bash"] },
};
