// Merging residue's SessionStart/SessionEnd hooks into .claude/settings.json. Pure: text in, text out.
export const EVENTS = ["SessionStart", "SessionEnd"] as const;

export class SettingsParseError extends Error {}

type HookEntry = { matcher?: string; hooks?: { type?: string; command?: string; timeout?: number }[] };

export function isResidueCommand(command: unknown) {
  return typeof command === "string" && /\bhook claude-code\b/.test(command) && /residue/.test(command);
}

/** Adds the hooks, keeping every other key and hook; returns null when they are already there. */
export function mergeSettings(existing: string | null, command: string): string | null {
  let settings: Record<string, unknown> = {};
  if (existing !== null && existing.trim() !== "") {
    try {
      settings = JSON.parse(existing);
    } catch (error) {
      throw new SettingsParseError(`cannot parse it as JSON (${(error as Error).message}); fix or remove it, then run setup again`);
    }
    if (!settings || typeof settings !== "object" || Array.isArray(settings))
      throw new SettingsParseError("it does not hold a JSON object");
  }
  const hooks = (settings.hooks ?? {}) as Record<string, HookEntry[]>;
  if (typeof hooks !== "object" || Array.isArray(hooks)) throw new SettingsParseError('its "hooks" is not an object');
  let changed = false;
  for (const event of EVENTS) {
    const entries = hooks[event] ?? [];
    if (!Array.isArray(entries)) throw new SettingsParseError(`its "hooks.${event}" is not a list`);
    const ours = entries.flatMap((e) => e.hooks ?? []).find((h) => isResidueCommand(h.command));
    if (ours) {
      if (ours.command !== command) {
        ours.command = command;
        changed = true;
      }
      continue;
    }
    // SessionEnd gets a short time budget from Claude Code; the hook only records and returns.
    entries.push({ hooks: [{ type: "command", command, timeout: 10 }] });
    hooks[event] = entries;
    changed = true;
  }
  if (!changed) return null;
  settings.hooks = hooks;
  return `${JSON.stringify(settings, null, 2)}\n`;
}

/** The settings without residue's hooks (for `residue setup claude-code --remove`). */
export function removeFromSettings(existing: string): string | null {
  const settings = JSON.parse(existing) as Record<string, unknown>;
  const hooks = settings.hooks as Record<string, HookEntry[]> | undefined;
  if (!hooks) return null;
  let changed = false;
  for (const event of EVENTS) {
    const entries = hooks[event];
    if (!Array.isArray(entries)) continue;
    const kept = entries
      .map((e) => ({ ...e, hooks: (e.hooks ?? []).filter((h) => !isResidueCommand(h.command)) }))
      .filter((e) => e.hooks.length > 0);
    if (kept.length !== entries.length || kept.some((e, i) => e.hooks.length !== (entries[i]?.hooks ?? []).length)) changed = true;
    if (kept.length) hooks[event] = kept;
    else delete hooks[event];
  }
  if (!changed) return null;
  if (Object.keys(hooks).length === 0) delete settings.hooks;
  return `${JSON.stringify(settings, null, 2)}\n`;
}
