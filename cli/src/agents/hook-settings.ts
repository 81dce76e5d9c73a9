// Merging residue's hooks into an agent's JSON hook settings (Claude Code's .claude/settings.json, and the
// same shape in Codex's .codex/hooks.json and Gemini CLI's .gemini/settings.json). Pure: text in, text out.
import { CliError } from "../errors/cli-error.ts";

type HookEntry = { matcher?: string; hooks?: { type?: string; command?: string; timeout?: number }[] };

export function isResidueCommand(command: unknown, agent: string) {
  return typeof command === "string" && command.includes(`hook ${agent}`) && /residue/.test(command);
}

/** A settings file residue cannot read is the user's: it is left alone, not overwritten. */
function refuse(path: string, why: string) {
  return new CliError(`refusing to change ${path}: ${why}`, "fix or remove it, then run setup again");
}

/** Adds the hooks, keeping every other key and hook; returns null when they are already there. */
/** `timeout` is in the agent's own unit: seconds for Claude Code and Codex, milliseconds for Gemini CLI. */
export function mergeHookSettings(
  path: string,
  existing: string | null,
  agent: string,
  command: string,
  events: readonly string[],
  timeout: number,
): string | null {
  let settings: Record<string, unknown> = {};
  if (existing !== null && existing.trim() !== "") {
    try {
      settings = JSON.parse(existing);
    } catch (error) {
      throw refuse(path, `cannot parse it as JSON (${(error as Error).message})`);
    }
    if (!settings || typeof settings !== "object" || Array.isArray(settings)) throw refuse(path, "it does not hold a JSON object");
  }
  const hooks = (settings.hooks ?? {}) as Record<string, HookEntry[]>;
  if (typeof hooks !== "object" || Array.isArray(hooks)) throw refuse(path, 'its "hooks" is not an object');
  let changed = false;
  for (const event of events) {
    const entries = hooks[event] ?? [];
    if (!Array.isArray(entries)) throw refuse(path, `its "hooks.${event}" is not a list`);
    const ours = entries.flatMap((e) => e.hooks ?? []).find((h) => isResidueCommand(h.command, agent));
    if (ours) {
      if (ours.command !== command || ours.timeout !== timeout) {
        ours.command = command;
        ours.timeout = timeout;
        changed = true;
      }
      continue;
    }
    // End hooks get a short time budget from the agents; the hook only records and returns.
    entries.push({ hooks: [{ type: "command", command, timeout }] });
    hooks[event] = entries;
    changed = true;
  }
  if (!changed) return null;
  settings.hooks = hooks;
  return `${JSON.stringify(settings, null, 2)}\n`;
}
