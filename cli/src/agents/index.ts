// Every agent residue supports, keyed by the agent enum: adding an agent means adding its folder here
// (and its transcript format next to the mappers in formats/src/).
import type { Agent } from "@residue/formats";
import type { Deps } from "../deps.ts";
import type { RepoContext } from "../repo/context.ts";
import { claudeCode } from "./claude-code/index.ts";
import { codex } from "./codex/index.ts";
import { gemini } from "./gemini/index.ts";
import { opencode } from "./opencode/index.ts";
import { pi } from "./pi/index.ts";
import type { AgentSpec, Discover } from "./spec.ts";

export const AGENT_SPECS = {
  "claude-code": claudeCode,
  pi,
  codex,
  gemini,
  opencode,
} satisfies Record<Agent, AgentSpec>;

export const AGENT_NAMES = Object.keys(AGENT_SPECS) as Agent[];

/** The spec of a name from the command line or stored state; undefined for anything else. */
export function agentSpec(name: string): AgentSpec | undefined {
  return Object.hasOwn(AGENT_SPECS, name) ? AGENT_SPECS[name as Agent] : undefined;
}

/** Agents whose hooks run `residue hook <agent>`. */
export const HOOK_AGENTS = AGENT_NAMES.filter((a) => AGENT_SPECS[a].hooks !== null);

/** "a, b or c", for help texts. */
export function nameList(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names.join("");
}

/** Discovery of every agent that has one, run by the commands that fold the journal; RESIDUE_DISCOVER=0 turns it off. */
export function discoverer(deps: Pick<Deps, "env" | "home" | "now">, repo: Pick<RepoContext, "top" | "control">): Discover | undefined {
  if (deps.env.RESIDUE_DISCOVER === "0") return undefined;
  const all = AGENT_NAMES.flatMap((a) => AGENT_SPECS[a].discover?.(deps, repo) ?? []);
  return (state, since) => {
    for (const discover of all) discover(state, since);
  };
}
