// Do message lines ever decrease? The index finds a commit's messages by binary search on Message.line,
// which needs them in order. Checked on every version fixture of every format.
//   node scale-proto/monotonic-lines.ts
import { readdirSync, readFileSync } from "node:fs";
import { mapSession } from "@residue/formats";

for (const agent of ["claude-code", "codex", "gemini", "opencode", "pi"]) {
  const base = `e2e/fixtures/${agent}/versions`;
  for (const file of readdirSync(base).filter((f) => /\.jsonl?$/.test(f))) {
    const { messages } = mapSession(agent, readFileSync(`${base}/${file}`, "utf8"));
    const bad = messages.findIndex((m, i) => i > 0 && m.line < (messages[i - 1]?.line ?? 0));
    console.log(
      `${agent}/${file}: ${bad < 0 ? `in order (${messages.length} messages)` : `message ${bad} goes back to line ${messages[bad]?.line}`}`,
    );
  }
}
