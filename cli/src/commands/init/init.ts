import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { onPath } from "../../agents/wiring.ts";
import type { Deps } from "../../deps.ts";
import { installHooks, uninstallHooks } from "../../hooks/install.ts";
import { journalPath } from "../../state/journal.ts";

function ensureIgnored(top: string): boolean {
  const path = join(top, ".gitignore");
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (text.split(/\r?\n/).some((l) => /^\/?\.residue\/?$/.test(l.trim()))) return false;
  appendFileSync(path, `${text && !text.endsWith("\n") ? "\n" : ""}.residue/\n`);
  return true;
}

export async function runInit(_opts: Record<string, never>, deps: Deps) {
  const ctx = await deps.repo();
  mkdirSync(ctx.stateDir, { recursive: true });
  const hooksDir = await ctx.git.hooksDir();
  // husky and lefthook keep hooks in the work tree, committed: they must work on every teammate's machine.
  const inTree = relative(ctx.top, hooksDir);
  const inGitDir = !relative(await ctx.git.commonDir(), hooksDir).startsWith("..");
  const shared = inTree !== "" && !inTree.startsWith("..") && !isAbsolute(inTree) && !inGitDir && !(await ctx.git.ignores(inTree));
  const reports = installHooks(hooksDir, journalPath(ctx.stateDir), deps.selfCommand, shared);
  for (const r of reports) deps.out(`  ${r.hook.padEnd(13)} ${r.action.padEnd(9)} ${r.path}\n`);
  if (shared) {
    deps.out(`  (${inTree}/ is committed with the repo: its hooks run \`residue\` from PATH and do nothing where it is not installed)\n`);
    if (!onPath("residue", deps.env.PATH ?? ""))
      deps.out("  residue is not on PATH here, so pushes upload nothing from this machine until it is\n");
  }
  if (ensureIgnored(ctx.top)) deps.out("  .gitignore    added .residue/\n");
  deps.out(
    `residue is set up in ${ctx.top}.\nNext: connect an agent with \`residue setup claude-code\` (or pi), then work and commit as usual.\n`,
  );
}

export async function runUninstall(_opts: Record<string, never>, deps: Deps) {
  const ctx = await deps.repo();
  const reports = uninstallHooks(await ctx.git.hooksDir());
  for (const r of reports) deps.out(`  ${r.hook.padEnd(13)} ${r.action.padEnd(9)} ${r.path}\n`);
  deps.out(`residue's hooks are removed. Queued sessions stay in ${ctx.stateDir} until you delete it.\n`);
}
