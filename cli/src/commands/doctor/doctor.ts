import { loadConfig } from "../../config/config.ts";
import { type Control, loadControl, repoRootOf } from "../../config/control.ts";
import type { Deps } from "../../deps.ts";
import { CliError } from "../../errors/cli-error.ts";
import { HOOKS } from "../../hooks/blocks.ts";
import { hookInstalled } from "../../hooks/install.ts";
import { DATA_STATE_TEXT, dataState } from "../../queue/snapshot.ts";
import { formatBytes, keptData, overCap, snapshotCap } from "../../queue/snapshot-cap.ts";
import { DISMISS } from "../../state/notices.ts";
import { repoIdentity } from "../../upload/sync.ts";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** The user's and the repo's rules: a wrong entry holds every upload back, so it is named here. */
function controlCheck(home: string, repoRoot: string): Check {
  let control: Control;
  try {
    control = loadControl(home, repoRoot);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return {
      name: "privacy rules",
      ok: false,
      detail: `${error.message} (uploads wait until it is fixed)`,
      fix: "fix that entry; `residue redact --dry-run` tries the rules",
    };
  }
  const { patterns = [], allow = {} } = control.redaction;
  const allowed = (allow.strings?.length ?? 0) + (allow.regexes?.length ?? 0);
  const rules = `${count(patterns.length, "pattern")}, ${count(allowed, "allowed value")}, ${count(control.ignore.length, "ignored path")}`;
  return {
    name: "privacy rules",
    ok: true,
    detail: control.files.length ? `${rules} (${control.files.join(", ")})` : "built-in redaction only",
  };
}

/** Session data kept locally, against RESIDUE_SNAPSHOT_CAP: over it, the sessions holding it and what frees it. */
function keptCheck(stateDir: string, env: Record<string, string | undefined>, uploaded: (id: string) => string | null | undefined): Check {
  const kept = keptData(stateDir, uploaded);
  let cap: number;
  try {
    cap = snapshotCap(env);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { name: "kept data", ok: false, detail: error.message, fix: error.hint };
  }
  const over = overCap(kept, cap);
  if (over) return { name: "kept data", ok: false, detail: over, fix: "run `residue push`" };
  return {
    name: "kept data",
    ok: true,
    detail: `${formatBytes(kept.bytes)} waiting for the server in .residue/snapshots (cap ${formatBytes(cap)})`,
  };
}

export async function runDoctor(opts: { json?: boolean }, deps: Deps): Promise<number> {
  const checks: Check[] = [];
  const ctx = await deps.repo();
  const hooksDir = await ctx.git.hooksDir();
  for (const hook of HOOKS) {
    const ok = hookInstalled(hooksDir, hook);
    checks.push({ name: `hook ${hook}`, ok, detail: `${hooksDir}/${hook}`, fix: ok ? undefined : "run `residue init`" });
  }
  try {
    const repo = await repoIdentity(ctx);
    checks.push({ name: "repo identity", ok: true, detail: `${repo.host}/${repo.owner}/${repo.name}` });
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    checks.push({ name: "repo identity", ok: false, detail: error.message, fix: error.hint });
  }
  checks.push(controlCheck(deps.home, repoRootOf(ctx.stateDir)));
  const config = loadConfig(deps.home, deps.env);
  if (!config.ok) checks.push({ name: "login", ok: false, detail: config.problem, fix: config.hint });
  else {
    checks.push({ name: "login", ok: true, detail: `${config.config.url} (from ${config.source})` });
    const api = deps.api({ timeoutMs: 5000 }).client;
    try {
      await api.health();
      checks.push({ name: "backend reachable", ok: true, detail: config.config.url });
      try {
        await api.checkToken();
        checks.push({ name: "token accepted", ok: true, detail: "" });
      } catch (error) {
        checks.push({
          name: "token accepted",
          ok: false,
          detail: (error as Error).message,
          fix: "residue login with the server's current token",
        });
      }
    } catch (error) {
      checks.push({
        name: "backend reachable",
        ok: false,
        detail: (error as Error).message,
        fix: "start the server (npm start) or fix the URL with residue login",
      });
    }
  }
  const state = ctx.store.peek();
  for (const notice of state.notices)
    checks.push({ name: "queue warning", ok: false, detail: notice.message, fix: `once read, run ${DISMISS}` });
  for (const s of Object.values(state.sessions)) {
    if (dataState(ctx.stateDir, s) === "lost")
      checks.push({
        name: "queued session",
        ok: false,
        detail: `${s.id.slice(0, 8)} (${s.agent}): ${DATA_STATE_TEXT.lost}`,
        fix: "nothing to recover; `git push` or `residue push` sends the rest",
      });
  }
  checks.push(keptCheck(ctx.stateDir, deps.env, (id) => state.sessions[id]?.uploaded_hash));
  if (opts.json) deps.out(`${JSON.stringify(checks, null, 2)}\n`);
  else for (const c of checks) deps.out(`${c.ok ? "✓" : "✗"} ${c.name.padEnd(18)} ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ""}\n`);
  return checks.every((c) => c.ok) ? 0 : 1;
}
