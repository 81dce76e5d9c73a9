// The two ways residue wires an agent into a repo (hooks merged into its settings, or a file of residue's),
// and how to tell whether an agent is in use here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { shellQuote } from "../hooks/blocks.ts";
import { mergeHookSettings } from "./hook-settings.ts";
import type { Adapter, HookPolicy, SetupContext } from "./spec.ts";

function onPath(bin: string, pathEnv: string) {
  return pathEnv.split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
}

/** Agent config is often committed, so a bare `residue` is used when it is on PATH rather than this machine's path. */
export function hookCommand(ctx: SetupContext): string[] {
  return onPath("residue", ctx.pathEnv) ? ["residue"] : ctx.command;
}

/** Agents configured through a JSON file of Claude-Code-shaped hooks that run `residue hook <agent>`. */
export function hookSettingsAdapter(opts: {
  name: string;
  summary: string;
  file: string[];
  /** Every event the policy reads is hooked. */
  hooks: HookPolicy;
  /** Ten seconds, in the agent's unit. */
  timeout: number;
  note?: string;
  detect: (ctx: SetupContext) => string | null;
}): Adapter {
  const events = [...opts.hooks.start, ...opts.hooks.end];
  return {
    name: opts.name,
    summary: opts.summary,
    writes: `hooks in ${opts.file.join("/")}`,
    setup(ctx) {
      const path = join(ctx.top, ...opts.file);
      const existing = existsSync(path) ? readFileSync(path, "utf8") : null;
      const command = `${hookCommand(ctx).map(shellQuote).join(" ")} hook ${opts.name}`;
      const merged = mergeHookSettings(path, existing, opts.name, command, events, opts.timeout);
      const note = opts.note ? `\n${opts.note}` : "";
      if (merged === null) return `${path}: hooks already in place${note}`;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, merged);
      return `${path}: added ${events.join(", ")} hooks (${command})${note}`;
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

/** Agents wired by a file residue owns (an extension or plugin), rewritten whole on setup. */
export function fileAdapter(opts: {
  name: string;
  summary: string;
  file: string[];
  text: (command: string[]) => string;
  detect: Adapter["detect"];
}): Adapter {
  return {
    name: opts.name,
    summary: opts.summary,
    writes: opts.file.join("/"),
    setup(ctx) {
      const path = join(ctx.top, ...opts.file);
      const text = opts.text(hookCommand(ctx));
      if (existsSync(path) && readFileSync(path, "utf8") === text) return `${path}: already in place`;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return `${path}: written`;
    },
    detect: opts.detect,
  };
}
