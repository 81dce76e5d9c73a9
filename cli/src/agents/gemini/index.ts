// Gemini CLI: SessionStart/AfterAgent/SessionEnd hooks in .gemini/settings.json (Claude Code's shape).
import { geminiFormat } from "@residue/formats/gemini";
import { type AgentSpec, type HookPolicy, noExtraFiles } from "../spec.ts";
import { detectBy, hookSettingsAdapter } from "../wiring.ts";

// SessionEnd is best effort: each turn (AfterAgent) registers the session again.
const hooks: HookPolicy = { start: ["SessionStart", "AfterAgent"], end: ["SessionEnd"], dropResumePreludes: false };

export const gemini: AgentSpec = {
  format: geminiFormat,
  hooks,
  setup: hookSettingsAdapter({
    name: "gemini",
    summary: "Gemini CLI: SessionStart/AfterAgent/SessionEnd hooks in .gemini/settings.json",
    file: [".gemini", "settings.json"],
    hooks,
    // Gemini CLI reads hook timeouts in milliseconds.
    timeout: 10_000,
    detect: detectBy(".gemini", "gemini"),
  }),
  discover: null,
  extraFiles: noExtraFiles,
  edits: { write: ["replace", "write_file"], shell: ["run_shell_command"] },
};
