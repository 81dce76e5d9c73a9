// Claude Code: SessionStart/SessionEnd hooks in .claude/settings.json. Sub-agent transcripts are written
// beside the main one and captured with it.
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { claudeCodeFormat } from "@residue/formats/claude-code";
import type { AgentSpec, ExtraFile, HookPolicy } from "../spec.ts";
import { detectBy, hookSettingsAdapter } from "../wiring.ts";

const hooks: HookPolicy = { start: ["SessionStart"], end: ["SessionEnd"], dropResumePreludes: true };

/** `<session>/subagents/*.jsonl` beside `<session>.jsonl`, in name order so captures are reproducible. */
function subagentTranscripts(dataPath: string): ExtraFile[] {
  const dir = join(dirname(dataPath), basename(dataPath, ".jsonl"), "subagents");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".jsonl"))
    .sort()
    .map((name) => ({ path: join(dir, name), name: `subagents/${name}` }));
}

export const claudeCode: AgentSpec = {
  format: claudeCodeFormat,
  hooks,
  setup: hookSettingsAdapter({
    name: "claude-code",
    summary: "Claude Code: SessionStart/SessionEnd hooks in .claude/settings.json (this machine's path, if needed, in settings.local.json)",
    file: [".claude", "settings.json"],
    localFile: [".claude", "settings.local.json"],
    hooks,
    timeout: 10,
    detect: detectBy(".claude", "claude"),
  }),
  discover: null,
  extraFiles: subagentTranscripts,
  edits: { write: ["Edit", "Write", "MultiEdit", "NotebookEdit"], shell: ["Bash"] },
};
