// The two ways residue wires an agent into a repo (hooks merged into its settings, or a file of residue's),
// and how to tell whether an agent is in use here. What goes into files a team commits names `residue` as
// found on PATH and does nothing where it is not installed; this machine's own path goes only into a
// git-ignored local settings file, and only when residue is not on PATH here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { shellQuote } from "../hooks/blocks.ts";
import { mergeHookSettings } from "./hook-settings.ts";
import type { Adapter, HookPolicy, SetupContext, Wiring, WiringChange } from "./spec.ts";

export function onPath(bin: string, pathEnv: string) {
  return pathEnv.split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
}

const RESIDUE_ON_PATH = "command -v residue >/dev/null 2>&1";

/**
 * The hook command for a committed file: runs `residue` from PATH, and on a machine without it exits 0
 * silently, so a teammate who has not installed residue sees nothing. Through `sh -c` so it means the same
 * whatever shell the agent runs hooks with.
 */
export function portableHookCommand(agent: string): string {
  return `sh -c '${RESIDUE_ON_PATH} || exit 0; exec residue hook ${agent}'`;
}

/**
 * The hook command for a local (git-ignored) file on a machine where residue is not on PATH: this
 * machine's command, passed as sh's arguments (no quoting inside quoting). It steps aside once residue is
 * on PATH, when the committed hook does the work, so an event is never recorded twice.
 */
export function localHookCommand(agent: string, command: string[]): string {
  return `sh -c '${RESIDUE_ON_PATH} && exit 0; exec "$0" "$@" hook ${agent}' ${command.map(shellQuote).join(" ")}`;
}

/** The check the extension files written for pi and OpenCode make when the agent loads them (JS, not TS-only). */
export const RESIDUE_ON_PATH_JS = `const RESIDUE_ON_PATH = (process.env.PATH ?? "").split(delimiter).some((dir) => dir && (existsSync(join(dir, "residue")) || existsSync(join(dir, "residue.exe"))));`;

function notOnPathNote(ctx: SetupContext) {
  return `residue is not on PATH here, so the wiring does nothing on this machine until it is (add ${dirname(ctx.command[0] ?? "residue")} to PATH)`;
}

/** Agents configured through a JSON file of Claude-Code-shaped hooks that run `residue hook <agent>`. */
export function hookSettingsAdapter(opts: {
  name: string;
  summary: string;
  file: string[];
  /** The agent's own git-ignored settings beside `file`, merged with it: where this machine's path may go. */
  localFile?: string[];
  /** Every event the policy reads is hooked. */
  hooks: HookPolicy;
  /** Ten seconds, in the agent's unit. */
  timeout: number;
  note?: string;
  detect: (ctx: SetupContext) => string | null;
}): Adapter {
  const events = [...opts.hooks.start, ...opts.hooks.end];
  const merge = (file: string[], command: string, local: boolean): WiringChange => {
    const path = join(...file);
    const existing = existsSync(path) ? readFileSync(path, "utf8") : null;
    const merged = mergeHookSettings(path, existing, opts.name, command, events, opts.timeout);
    if (merged === null) return { path, message: "hooks already in place", local };
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, merged);
    return { path, message: `added ${events.join(", ")} hooks (${command})`, local };
  };
  return {
    name: opts.name,
    summary: opts.summary,
    writes: `hooks in ${opts.file.join("/")}`,
    setup(ctx): Wiring {
      const changes = [merge([ctx.top, ...opts.file], portableHookCommand(opts.name), false)];
      const notes = opts.note ? [opts.note] : [];
      if (!onPath("residue", ctx.pathEnv)) {
        if (opts.localFile) changes.push(merge([ctx.top, ...opts.localFile], localHookCommand(opts.name, ctx.command), true));
        else notes.push(notOnPathNote(ctx));
      }
      return { changes, notes };
    },
    detect: opts.detect,
  };
}

export function detectBy(dotDir: string, bin: string) {
  return (ctx: SetupContext) => {
    if (existsSync(join(ctx.top, dotDir))) return `${dotDir}/ in this repo`;
    if (onPath(bin, ctx.pathEnv)) return `\`${bin}\` on PATH`;
    if (existsSync(join(ctx.home, dotDir))) return `~/${dotDir} exists`;
    return null;
  };
}

/** Agents wired by a file residue owns (an extension or plugin, which finds `residue` on PATH itself), rewritten whole on setup. */
export function fileAdapter(opts: { name: string; summary: string; file: string[]; text: string; detect: Adapter["detect"] }): Adapter {
  return {
    name: opts.name,
    summary: opts.summary,
    writes: opts.file.join("/"),
    setup(ctx): Wiring {
      const path = join(ctx.top, ...opts.file);
      const notes = onPath("residue", ctx.pathEnv) ? [] : [notOnPathNote(ctx)];
      if (existsSync(path) && readFileSync(path, "utf8") === opts.text) return { changes: [{ path, message: "already in place" }], notes };
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, opts.text);
      return { changes: [{ path, message: "written" }], notes };
    },
    detect: opts.detect,
  };
}
