import { AGENT_NAMES, AGENT_SPECS, agentSpec } from "../../agents/index.ts";
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { describeChange } from "./standing.ts";

export async function runSetup(agent: string | undefined, deps: Deps) {
  const ctx = await deps.repo();
  const setupCtx = { top: ctx.top, home: deps.home, command: deps.selfCommand, pathEnv: deps.env.PATH ?? "" };
  if (!agent) {
    const found = AGENT_NAMES.map((name) => ({ a: AGENT_SPECS[name].setup, why: AGENT_SPECS[name].setup.detect(setupCtx) })).filter(
      (x) => x.why,
    );
    if (found.length === 0) {
      deps.out(`No supported agent found here. Supported: ${AGENT_NAMES.join(", ")}.\n`);
      return;
    }
    deps.out("Agents found for this repo:\n");
    for (const { a, why } of found) deps.out(`  ${a.name.padEnd(12)} (${why})  →  residue setup ${a.name}\n`);
    return;
  }
  const adapter = agentSpec(agent)?.setup;
  if (!adapter) throw new CliError(`no adapter for '${agent}'`, `use one of ${AGENT_NAMES.join(", ")}`, EXIT.usage);
  const { changes, notes } = adapter.setup(setupCtx);
  for (const change of changes) deps.out(`${await describeChange(ctx.git, ctx.top, change)}\n`);
  for (const note of notes) deps.out(`${note}\n`);
}
