import { ADAPTERS, findAdapter } from "../../adapters/registry.ts";
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { openRepo } from "../../repo/context.ts";

export async function runSetup(agent: string | undefined, deps: Deps) {
  const ctx = await openRepo(deps.cwd, deps.now);
  const setupCtx = { top: ctx.top, home: deps.home, command: deps.selfCommand, pathEnv: deps.env.PATH ?? "" };
  if (!agent) {
    const found = ADAPTERS.map((a) => ({ a, why: a.detect(setupCtx) })).filter((x) => x.why);
    if (found.length === 0) {
      deps.out(`No supported agent found here. Supported: ${ADAPTERS.map((a) => a.name).join(", ")}.\n`);
      return;
    }
    deps.out("Agents found for this repo:\n");
    for (const { a, why } of found) deps.out(`  ${a.name.padEnd(12)} (${why})  →  residue setup ${a.name}\n`);
    return;
  }
  const adapter = findAdapter(agent);
  if (!adapter) throw new CliError(`no adapter for '${agent}'`, `use one of ${ADAPTERS.map((a) => a.name).join(", ")}`, EXIT.usage);
  deps.out(`${adapter.setup(setupCtx)}\n`);
}
