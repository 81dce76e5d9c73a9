// Applies the hook blocks to a repo's hooks directory (core.hooksPath and linked worktrees respected).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../errors/cli-error.ts";
import { chainedName, HOOKS, type HookName, hookBody, install, uninstall } from "./blocks.ts";

export interface HookReport {
  hook: HookName;
  path: string;
  action: "created" | "added" | "wrapped" | "updated" | "unchanged" | "removed" | "restored" | "absent";
}

/** `portable`: the hooks directory is committed with the repo, so the blocks name nothing of this machine. */
export function installHooks(hooksDir: string, journal: string, command: string[], portable = false): HookReport[] {
  mkdirSync(hooksDir, { recursive: true });
  return HOOKS.map((hook) => {
    const path = join(hooksDir, hook);
    const existing = existsSync(path) ? readFileSync(path, "utf8") : null;
    const result = install(existing, hook, hookBody(hook, journal, command, portable));
    if (result.kind === "unchanged") return { hook, path, action: "unchanged" };
    if (result.kind === "wrap") {
      const chained = join(hooksDir, result.chainedName);
      if (existsSync(chained)) throw new CliError(`${chained} already exists`, "move it away and run `residue init` again");
      renameSync(path, chained);
      writeFileSync(path, result.content, { mode: 0o755 });
      chmodSync(path, 0o755);
      return { hook, path, action: "wrapped" };
    }
    writeFileSync(path, result.content, { mode: 0o755 });
    chmodSync(path, 0o755);
    const action = existing === null || existing.trim() === "" ? "created" : existing.includes("# >>> residue") ? "updated" : "added";
    return { hook, path, action };
  });
}

export function uninstallHooks(hooksDir: string): HookReport[] {
  return HOOKS.map((hook) => {
    const path = join(hooksDir, hook);
    const chained = join(hooksDir, chainedName(hook));
    if (!existsSync(path)) return { hook, path, action: "absent" };
    const content = readFileSync(path, "utf8");
    const rest = uninstall(content);
    if (rest === content) return { hook, path, action: "absent" };
    if (existsSync(chained)) {
      renameSync(chained, path);
      return { hook, path, action: "restored" };
    }
    if (rest === null) rmSync(path);
    else writeFileSync(path, rest);
    return { hook, path, action: "removed" };
  });
}

/** When residue's block last went into this hook (its file's mtime), or null when it is not there. */
export function hookInstalledAt(hooksDir: string, hook: HookName): number | null {
  return hookInstalled(hooksDir, hook) ? statSync(join(hooksDir, hook)).mtimeMs : null;
}

export function hookInstalled(hooksDir: string, hook: HookName): boolean {
  const path = join(hooksDir, hook);
  return existsSync(path) && readFileSync(path, "utf8").includes("# >>> residue");
}
