// The agents residue can wire into a repo, and how to tell whether one is in use here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { shellQuote } from "../hooks/blocks.ts";
import { mergeHookSettings } from "./hook-settings.ts";
import { opencodePlugin } from "./opencode/plugin.ts";
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

function onPath(bin: string, pathEnv: string) {
  return pathEnv.split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
}

/** Agent config is often committed, so a bare `residue` is used when it is on PATH rather than this machine's path. */
export function hookCommand(ctx: SetupContext): string[] {
  return onPath("residue", ctx.pathEnv) ? ["residue"] : ctx.command;
}

/** Agents configured through a JSON file of Claude-Code-shaped hooks that run `residue hook <agent>`. */
function hookSettingsAdapter(opts: {
  name: string;
  summary: string;
  file: string[];
  events: string[];
  /** Ten seconds, in the agent's unit. */
  timeout: number;
  note?: string;
  detect: (ctx: SetupContext) => string | null;
}): Adapter {
  return {
    name: opts.name,
    summary: opts.summary,
    setup(ctx) {
      const path = join(ctx.top, ...opts.file);
      const existing = existsSync(path) ? readFileSync(path, "utf8") : null;
      const command = `${hookCommand(ctx).map(shellQuote).join(" ")} hook ${opts.name}`;
      const merged = mergeHookSettings(path, existing, opts.name, command, opts.events, opts.timeout);
      const note = opts.note ? `\n${opts.note}` : "";
      if (merged === null) return `${path}: hooks already in place${note}`;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, merged);
      return `${path}: added ${opts.events.join(", ")} hooks (${command})${note}`;
    },
    detect: opts.detect,
  };
}

function detectBy(dotDir: string, bin: string) {
  return (ctx: SetupContext) => {
    if (existsSync(join(ctx.top, dotDir))) return `${dotDir}/ in this repo`;
    if (onPath(bin, ctx.pathEnv)) return `\`${bin}\` on PATH`;
    if (existsSync(join(ctx.home, dotDir))) return `~/${dotDir} exists`;
    return null;
  };
}

const claudeCode = hookSettingsAdapter({
  name: "claude-code",
  summary: "Claude Code: SessionStart/SessionEnd hooks in .claude/settings.json",
  file: [".claude", "settings.json"],
  events: ["SessionStart", "SessionEnd"],
  timeout: 10,
  detect: detectBy(".claude", "claude"),
});

const codex = hookSettingsAdapter({
  name: "codex",
  summary: "Codex CLI: SessionStart/Stop/SessionEnd hooks in .codex/hooks.json",
  file: [".codex", "hooks.json"],
  events: ["SessionStart", "Stop", "SessionEnd"],
  timeout: 10,
  note: "Codex runs project hooks only once you trust them in Codex; until then (and without them) residue finds Codex sessions at each capture from their rollouts in ~/.codex/sessions.",
  detect: detectBy(".codex", "codex"),
});

const gemini = hookSettingsAdapter({
  name: "gemini",
  summary: "Gemini CLI: SessionStart/AfterAgent/SessionEnd hooks in .gemini/settings.json",
  file: [".gemini", "settings.json"],
  events: ["SessionStart", "AfterAgent", "SessionEnd"],
  // Gemini CLI reads hook timeouts in milliseconds.
  timeout: 10_000,
  detect: detectBy(".gemini", "gemini"),
});

/** Agents wired by a file residue owns (an extension or plugin), rewritten whole on setup. */
function fileAdapter(opts: {
  name: string;
  summary: string;
  file: string[];
  text: (command: string[]) => string;
  detect: Adapter["detect"];
}): Adapter {
  return {
    name: opts.name,
    summary: opts.summary,
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

const pi = fileAdapter({
  name: "pi",
  summary: "pi coding agent: an extension in .pi/extensions/residue.ts",
  file: [".pi", "extensions", "residue.ts"],
  text: piExtension,
  detect: detectBy(".pi", "pi"),
});

const opencode = fileAdapter({
  name: "opencode",
  summary: "OpenCode: a plugin in .opencode/plugins/residue.js",
  file: [".opencode", "plugins", "residue.js"],
  text: opencodePlugin,
  detect: detectBy(".opencode", "opencode"),
});

export const ADAPTERS: Adapter[] = [claudeCode, pi, codex, gemini, opencode];

export function findAdapter(name: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.name === name);
}
