// Claude Code: SessionStart/SessionEnd hooks in .claude/settings.json. Sub-agent transcripts are written
// beside the main one and captured with it, in one stored stream laid out as a section log
// (cli/src/queue/section-log.ts): each snapshot appends the main transcript's new lines, then each sub-agent
// file's, in name order. A section of another file than the previous section's opens with a marker line,
// `{"type":"residue-file","path":"subagents/agent-<id>.jsonl"}`, and the main transcript resuming after a
// sub-agent's section with `{"type":"residue-file","path":""}`. A first snapshot is the main transcript, then
// each sub-agent file once: the layout sessions stored before the log have.
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
