// Codex CLI: hooks in .codex/hooks.json, which Codex runs only once trusted; rollouts are also discovered.
import { codexFormat } from "@residue/formats/codex";
import { type AgentSpec, type HookPolicy, noExtraFiles } from "../spec.ts";
import { detectBy, hookSettingsAdapter } from "../wiring.ts";
import { codexDiscoverer } from "./discovery.ts";

// Not every Codex version fires an end event: each finished turn (Stop) registers the rollout again.
const hooks: HookPolicy = { start: ["SessionStart", "Stop"], end: ["SessionEnd"], dropResumePreludes: false };

export const codex: AgentSpec = {
  format: codexFormat,
  hooks,
  setup: hookSettingsAdapter({
    name: "codex",
    summary: "Codex CLI: SessionStart/Stop/SessionEnd hooks in .codex/hooks.json",
    file: [".codex", "hooks.json"],
    hooks,
    timeout: 10,
    note: "Codex runs project hooks only once you trust them in Codex; until then (and without them) residue finds Codex sessions at each capture from their rollouts in ~/.codex/sessions.",
    detect: detectBy(".codex", "codex"),
  }),
  discover: codexDiscoverer,
  extraFiles: noExtraFiles,
  edits: { write: ["apply_patch"], shell: ["shell", "local_shell", "exec_command", "shell_command"] },
};
