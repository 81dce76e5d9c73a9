// Codex runs project hooks only after the user trusts them in Codex, so its sessions are also found
// without hooks: rollouts under $CODEX_HOME/sessions/YYYY/MM/DD/ whose session_meta.cwd lies in this repo
// and that changed since shortly before the commits being captured.
import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { type Control, ignoredBy } from "../../config/control.ts";
import type { Deps } from "../../deps.ts";
import { startSession } from "../../queue/sessions.ts";
import type { RepoContext } from "../../repo/context.ts";
import type { Discover } from "../spec.ts";

export interface FoundRollout {
  path: string;
  id: string | null;
  cwd: string;
}

function firstLine(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString("utf8").split("\n", 1)[0] ?? "";
  } finally {
    closeSync(fd);
  }
}

function real(path: string) {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function inside(dir: string, root: string) {
  const rel = relative(root, dir);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
}

/** Day folders from `since` to `now` (UTC and local dates both, as Codex names them by local time). */
function dayDirs(base: string, since: number, now: number): string[] {
  const dirs = new Set<string>();
  for (let t = since - 86_400_000; t <= now + 86_400_000; t += 86_400_000) {
    const d = new Date(t);
    const pad = (n: number) => String(n).padStart(2, "0");
    dirs.add(join(base, String(d.getFullYear()), pad(d.getMonth() + 1), pad(d.getDate())));
    dirs.add(join(base, String(d.getUTCFullYear()), pad(d.getUTCMonth() + 1), pad(d.getUTCDate())));
  }
  return [...dirs].filter((d) => existsSync(d));
}

export function codexHome(env: Record<string, string | undefined>, home: string) {
  return env.CODEX_HOME || join(home, ".codex");
}

export function findCodexRollouts(codexHomeDir: string, repoTop: string, since: number, now: number): FoundRollout[] {
  const base = join(codexHomeDir, "sessions");
  if (!existsSync(base)) return [];
  const top = real(repoTop);
  const found: FoundRollout[] = [];
  for (const dir of dayDirs(base, since, now)) {
    for (const name of readdirSync(dir)) {
      if (!/^rollout-.*\.jsonl$/.test(name)) continue;
      const path = join(dir, name);
      try {
        if (statSync(path).mtimeMs < since) continue;
        const meta = JSON.parse(firstLine(path)) as { type?: string; payload?: { id?: string; cwd?: string } };
        const cwd = meta.type === "session_meta" ? meta.payload?.cwd : undefined;
        if (cwd && inside(real(cwd), top)) found.push({ path, id: meta.payload?.id ?? null, cwd });
      } catch {
        // unreadable or not a rollout: not ours to judge here
      }
    }
  }
  return found;
}

/**
 * Registers rollouts found for this repo that the queue does not hold yet (hooks may never have fired), but
 * none from an ignored directory. With a broken config none is: which are excluded is unknown, and the push
 * says what is wrong (the rollouts are found again once it is fixed).
 */
export function codexDiscoverer(
  { env, home, now }: Pick<Deps, "env" | "home" | "now">,
  repo: Pick<RepoContext, "top" | "control">,
): Discover {
  return (state, since) => {
    const known = new Set(Object.values(state.sessions).map((s) => s.data_path));
    const rollouts = findCodexRollouts(codexHome(env, home), repo.top, since, now()).filter((r) => !known.has(r.path));
    if (rollouts.length === 0) return;
    let control: Control;
    try {
      control = repo.control();
    } catch {
      return;
    }
    for (const rollout of rollouts) {
      if (ignoredBy(control, rollout.cwd)) continue;
      startSession(state, {
        agent: "codex",
        dataPath: rollout.path,
        cwd: rollout.cwd,
        agentSessionId: rollout.id ?? undefined,
        now: now(),
        whole: true,
      });
    }
  };
}
