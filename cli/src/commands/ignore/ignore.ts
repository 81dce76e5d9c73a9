// `residue ignore [path-or-glob]`: sessions whose working directory is under these paths are never captured.
// The machine's list is in ~/.residue/config; a team's is in the committed `.residue.json` (edited by hand).
import { configPath, updateUserConfig } from "../../config/config.ts";
import { ignoredBy, loadControl, repoRootOf } from "../../config/control.ts";
import { anchoredEntry } from "../../config/glob.ts";
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { forgetQueued, repoHere, uploadedNote } from "../forget/queued.ts";

export interface IgnoreOptions {
  list?: boolean;
  remove?: boolean;
}

const userEntries = (saved: Record<string, unknown>) =>
  Array.isArray(saved.ignore) ? saved.ignore.filter((e): e is string => typeof e === "string") : [];

export async function runIgnore(target: string | undefined, opts: IgnoreOptions, deps: Deps) {
  const ctx = await repoHere(deps);
  const root = ctx ? repoRootOf(ctx.stateDir) : deps.cwd;
  if (opts.list) {
    const control = loadControl(deps.home, root);
    if (control.ignore.length === 0) deps.out("Nothing is ignored: sessions in every directory are captured.\n");
    for (const rule of control.ignore)
      deps.out(`${rule.entry}${rule.pattern === rule.entry ? "" : ` (${rule.pattern})`}  — ${rule.file}\n`);
    return;
  }
  const entry = anchoredEntry(target ?? deps.cwd, deps.cwd);
  const file = configPath(deps.home);
  if (opts.remove) {
    let removed = false;
    updateUserConfig(deps.home, (saved) => {
      const kept = userEntries(saved).filter((e) => e !== entry && e !== target);
      removed = kept.length < userEntries(saved).length;
      return { ...saved, ignore: kept };
    });
    if (removed) return deps.out(`No longer ignored: ${entry} (${file})\n`);
    const shared = loadControl(deps.home, root).ignore.find((r) => r.entry === target || r.pattern === entry);
    if (shared)
      throw new CliError(`${target} is ignored by ${shared.file}`, "edit that file to change it (it is shared through git)", EXIT.usage);
    throw new CliError(`${entry} is not in the ignore list`, "`residue ignore --list` shows it", EXIT.usage);
  }
  let added = false;
  updateUserConfig(deps.home, (saved) => {
    const entries = userEntries(saved);
    added = !entries.includes(entry);
    return { ...saved, ignore: added ? [...entries, entry] : entries };
  });
  deps.out(added ? `Ignored: ${entry} — sessions working there are not captured (saved in ${file})\n` : `${entry} is ignored already\n`);
  if (!ctx) return;
  // What was queued there before is taken back now, as if it had been ignored from the start.
  const control = loadControl(deps.home, root);
  const under = Object.values(ctx.store.peek().sessions).filter((s) => ignoredBy(control, s.cwd));
  if (under.length === 0) return;
  const dropped = await forgetQueued(
    ctx,
    under.map((s) => s.id),
    deps.now(),
  );
  deps.out(`Forgot ${dropped.length} queued session(s) working there:\n`);
  for (const d of dropped) deps.out(`  ${d.text}\n${uploadedNote(d.session)}`);
}
