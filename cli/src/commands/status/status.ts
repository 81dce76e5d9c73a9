import { existsSync, statSync } from "node:fs";
import { discoverer } from "../../agents/index.ts";
import { foldJournal } from "../../capture/fold.ts";
import { loadConfig } from "../../config/config.ts";
import type { Deps } from "../../deps.ts";
import { CliError } from "../../errors/cli-error.ts";
import { HOOKS } from "../../hooks/blocks.ts";
import { hookInstalled } from "../../hooks/install.ts";
import { DATA_STATE_TEXT, dataState } from "../../queue/snapshot.ts";
import { formatBytes, keptData, overCap, snapshotCap } from "../../queue/snapshot-cap.ts";
import { appendLog } from "../../state/log.ts";
import { DISMISS } from "../../state/notices.ts";

export interface StatusOptions {
  json?: boolean;
}

export async function runStatus(opts: StatusOptions, deps: Deps) {
  const ctx = await deps.repo();
  await foldJournal(ctx, (m) => appendLog(ctx.stateDir, m), discoverer(deps, ctx));
  const state = ctx.store.peek();
  const hooksDir = await ctx.git.hooksDir();
  const config = loadConfig(deps.home, deps.env);
  const sessions = Object.values(state.sessions).map((s) => ({
    id: s.id,
    agent: s.agent,
    status: s.status,
    data_path: s.data_path,
    bytes: existsSync(s.data_path) ? statSync(s.data_path).size : null,
    data: dataState(ctx.stateDir, s),
    uploaded: s.uploaded_hash !== null,
    commits: Object.values(state.commits)
      .filter((c) => c.sessions.some((l) => l.session_id === s.id))
      .map((c) => c.sha),
  }));
  const kept = keptData(ctx.stateDir, (id) => state.sessions[id]?.uploaded_hash);
  let cap: { bytes: number } | { problem: string; hint: string };
  try {
    cap = { bytes: snapshotCap(deps.env) };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    cap = { problem: error.message, hint: error.hint };
  }
  const over = "bytes" in cap ? overCap(kept, cap.bytes) : null;
  const report = {
    repo: ctx.top,
    server: config.ok ? { url: config.config.url, source: config.source } : { problem: config.problem },
    hooks: Object.fromEntries(HOOKS.map((h) => [h, hookInstalled(hooksDir, h)])),
    sessions,
    pending_commits: Object.keys(state.commits),
    snapshots: { bytes: kept.bytes, cap: "bytes" in cap ? cap.bytes : null, over: over !== null, sessions: kept.sessions },
    warnings: [
      ...("problem" in cap ? [`${cap.problem}: ${cap.hint}`] : []),
      ...(over ? [over] : []),
      ...state.notices.map((n) => n.message),
    ],
  };
  if (opts.json) {
    deps.out(`${JSON.stringify(report, null, 2)}\n`);
    return report;
  }
  const lines = [
    `repo     ${report.repo}`,
    `server   ${config.ok ? `${config.config.url} (from ${config.source})` : `${config.problem}: ${config.hint}`}`,
  ];
  lines.push(`hooks    ${HOOKS.map((h) => `${h} ${report.hooks[h] ? "✓" : "✗ (run residue init)"}`).join("  ")}`);
  lines.push(`queued   ${sessions.length} session(s), ${report.pending_commits.length} commit(s) waiting for push`);
  for (const s of sessions) {
    const size = s.data === "transcript" ? `${s.bytes} bytes` : DATA_STATE_TEXT[s.data];
    lines.push(
      `  ${s.id.slice(0, 8)} ${s.agent.padEnd(11)} ${s.status.padEnd(5)} ${size}, ${s.commits.length} commit(s)${s.uploaded ? ", uploaded before" : ""}`,
    );
  }
  lines.push(
    `kept     ${formatBytes(kept.bytes)} of session data in .residue/snapshots${"bytes" in cap ? ` (cap ${formatBytes(cap.bytes)})` : ""}`,
  );
  for (const w of report.warnings) lines.push(`warning  ${w}`);
  if (state.notices.length) lines.push(`         once read, run ${DISMISS} to stop these warnings`);
  deps.out(`${lines.join("\n")}\n`);
  return report;
}
