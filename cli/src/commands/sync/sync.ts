import { discoverer } from "../../agents/index.ts";
import type { Deps } from "../../deps.ts";
import { CliError } from "../../errors/cli-error.ts";
import { appendLog } from "../../state/log.ts";
import { noticeLine, pendingNotice } from "../../state/notices.ts";
import { formatBytes } from "../../terminal/bytes.ts";
import { budget } from "../../upload/deadline.ts";
import { type SyncProgress, type SyncResult, sync } from "../../upload/sync.ts";

export interface SyncCommandOptions {
  hook?: boolean;
  json?: boolean;
  uncommitted?: boolean;
  concurrency?: number;
}

const DEFAULT_HOOK_TIMEOUT_S = 20;

function progressPrinter(deps: Deps) {
  if (!deps.isTTY) return undefined;
  return (e: SyncProgress) => {
    const label = e.session.id.slice(0, 8);
    if (e.kind === "session-bytes") {
      const width = 24;
      const filled = Math.round((Math.min(e.sent, e.bytes) / Math.max(e.bytes, 1)) * width);
      deps.err(`\r  ${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${formatBytes(e.sent)}`);
    } else if (e.kind === "session-done") deps.err(`\r  ${label} ${e.uploaded ? "uploaded" : "metadata only"}${" ".repeat(30)}\n`);
    else if (e.kind === "session-failed") deps.err(`\r  ${label} failed: ${e.error}\n`);
  };
}

async function runSyncOnce(opts: SyncCommandOptions, deps: Deps, signal?: AbortSignal): Promise<SyncResult> {
  const ctx = await deps.repo();
  const log = (m: string) => appendLog(ctx.stateDir, m);
  return sync(ctx, deps.api({ signal }).client, {
    includeUncommitted: opts.uncommitted !== false && deps.env.RESIDUE_UPLOAD_UNCOMMITTED !== "0",
    concurrency: opts.concurrency ?? 3,
    discover: discoverer(deps, ctx),
    idleMs: Number(deps.env.RESIDUE_IDLE_HOURS) > 0 ? Number(deps.env.RESIDUE_IDLE_HOURS) * 3600 * 1000 : undefined,
    now: deps.now,
    onProgress: opts.hook ? undefined : progressPrinter(deps),
    log,
    signal,
  });
}

function summary(r: SyncResult) {
  const parts = [`${r.uploaded} session(s) uploaded`, `${r.commits} commit(s) linked`];
  if (r.unchanged) parts.push(`${r.unchanged} unchanged`);
  if (r.failed.length) parts.push(`${r.failed.length} failed (kept for the next push)`);
  if (r.missing.length) parts.push(`${r.missing.length} with no data yet`);
  if (r.lost.length) parts.push(`${r.lost.length} lost (transcript deleted before upload)`);
  if (r.deleted.length) parts.push(`${r.deleted.length} deleted on the server (forgotten here)`);
  return `${r.repo.host}/${r.repo.owner}/${r.repo.name}: ${parts.join(", ")}`;
}

/** `residue push`: a manual upload with progress and a summary; fails loudly. */
export async function runPush(opts: SyncCommandOptions, deps: Deps) {
  const result = await runSyncOnce(opts, deps);
  if (opts.json) deps.out(`${JSON.stringify(result)}\n`);
  else deps.out(`${summary(result)}\n`);
  const first = result.failed[0];
  if (first)
    throw new CliError(
      `${result.failed.length} session(s) not uploaded, first ${first.id.slice(0, 8)}: ${first.error}`,
      `${first.hint} (details in .residue/log)`,
    );
  const notice = pendingNotice(result.notices);
  if (notice) throw new CliError(notice.message, notice.hint);
  return result;
}

/** Time kept back from the hook's bound to log, print and exit. */
const EXIT_RESERVE_MS = 500;

/**
 * `residue sync --hook` (pre-push): never blocks git. Whatever fails, it exits 0 within a bounded time,
 * prints at most one short line, logs details and keeps everything queued for the next push.
 */
export async function runSyncHook(opts: SyncCommandOptions, deps: Deps): Promise<number> {
  const seconds = Number(deps.env.RESIDUE_HOOK_TIMEOUT) > 0 ? Number(deps.env.RESIDUE_HOOK_TIMEOUT) : DEFAULT_HOOK_TIMEOUT_S;
  const time = budget(Math.max(seconds * 1000 - EXIT_RESERVE_MS, 100));
  let stateDir: string | null = null;
  const log = (m: string) => stateDir && appendLog(stateDir, m);
  const work = (async () => {
    stateDir = (await deps.repo()).stateDir;
    return runSyncOnce({ ...opts, hook: true }, deps, time.signal);
  })();
  try {
    // Whatever is still pending when the budget runs out (a hung server, a stalled upload, a long lock
    // wait) is abandoned: requests are aborted, nothing is marked done, so it all goes on the next push.
    const result = await Promise.race([work, time.expired]);
    if (result === "expired") {
      log(`sync --hook: gave up after ${seconds}s`);
      // A session too large for the bound never finishes inside a hook: say how to upload it without one.
      deps.err(
        `residue: upload did not finish within ${seconds}s (RESIDUE_HOOK_TIMEOUT); sessions stay queued — \`residue push\` uploads them with progress and no time limit\n`,
      );
      return 0;
    }
    log(`sync --hook: ${summary(result)}`);
    const problems = [
      result.failed.length ? `${result.failed.length} session(s) not uploaded, kept for the next push (see .residue/log)` : null,
      noticeLine(result.notices),
    ].filter(Boolean);
    if (problems.length) deps.err(`residue: ${problems.join("; ")}\n`);
    return 0;
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? "unknown error";
    log(`sync --hook failed: ${(error as Error).stack ?? message}`);
    deps.err(`residue: upload skipped (${message.slice(0, 160)}); sessions stay queued\n`);
    return 0;
  } finally {
    time.cancel();
  }
}
