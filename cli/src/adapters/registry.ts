// The agents residue can wire into a repo, and how to tell whether one is in use here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { shellQuote } from "../hooks/blocks.ts";
import { mergeSettings, SettingsParseError } from "./claude-code/settings.ts";
import { piExtension } from "./pi/extension.ts";

export interface SetupContext {
  top: string;
  home: string;
  command: string[];
  pathEnv: string;
}

export interface Adapter {
  name: string;
  summary: string;
  /** Returns what it changed, for the user. */
  setup(ctx: SetupContext): string;
  detect(ctx: SetupContext): string | null;
}

export class SetupError extends Error {}

function onPath(bin: string, pathEnv: string) {
  return pathEnv.split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
}

/** Agent config is often committed, so a bare `residue` is used when it is on PATH rather than this machine's path. */
export function hookCommand(ctx: SetupContext): string[] {
  return onPath("residue", ctx.pathEnv) ? ["residue"] : ctx.command;
}

const claudeCode: Adapter = {
  name: "claude-code",
  summary: "Claude Code: SessionStart/SessionEnd hooks in .claude/settings.json",
  setup(ctx) {
    const path = join(ctx.top, ".claude", "settings.json");
    const existing = existsSync(path) ? readFileSync(path, "utf8") : null;
    const command = `${hookCommand(ctx).map(shellQuote).join(" ")} hook claude-code`;
    let merged: string | null;
    try {
      merged = mergeSettings(existing, command);
    } catch (error) {
      if (error instanceof SettingsParseError) throw new SetupError(`Refusing to change ${path}: ${error.message}.`);
      throw error;
    }
    if (merged === null) return `${path}: hooks already in place`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, merged);
    return `${path}: added SessionStart and SessionEnd hooks (${command})`;
  },
  detect(ctx) {
    if (existsSync(join(ctx.top, ".claude"))) return ".claude/ in this repo";
    if (onPath("claude", ctx.pathEnv)) return "`claude` on PATH";
    if (existsSync(join(ctx.home, ".claude"))) return "~/.claude exists";
    return null;
  },
};

const pi: Adapter = {
  name: "pi",
  summary: "pi coding agent: an extension in .pi/extensions/residue.ts",
  setup(ctx) {
    const path = join(ctx.top, ".pi", "extensions", "residue.ts");
    const text = piExtension(hookCommand(ctx));
    if (existsSync(path) && readFileSync(path, "utf8") === text) return `${path}: already in place`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return `${path}: written`;
  },
  detect(ctx) {
    if (existsSync(join(ctx.top, ".pi"))) return ".pi/ in this repo";
    if (onPath("pi", ctx.pathEnv)) return "`pi` on PATH";
    if (existsSync(join(ctx.home, ".pi"))) return "~/.pi exists";
    return null;
  },
};

export const ADAPTERS: Adapter[] = [claudeCode, pi];

export function findAdapter(name: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.name === name);
}
