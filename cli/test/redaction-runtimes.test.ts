// The engine must run unchanged where the CLI runs: bun (the compiled binary) and deno. Each runtime
// redacts the same planted transcript through the same entry point and must give node's bytes exactly.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createRedactor } from "../src/redaction/index.ts";
import { ROOT } from "./support/harness.ts";
import { carriers, plantLookAlikes, plantSecrets } from "./support/redaction-corpus.ts";

// Secrets, then look-alikes: runtimes differ in regex engines (V8's misreads some inline modifiers, JSC's not).
const carrier = carriers()[0] as ReturnType<typeof carriers>[0];
const planted = `${plantSecrets(carrier, 7).text}${plantLookAlikes(carrier, 7)}`;
const s = createRedactor({ format: "json" }).stream();
const expected = Buffer.concat([s.write(Buffer.from(planted)), s.end()]).toString("utf8");

const dir = mkdtempSync(join(tmpdir(), "residue-redaction-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = join(dir, "redact.ts");
writeFileSync(
  script,
  `import { createRedactor } from ${JSON.stringify(join(ROOT, "cli/src/redaction/index.ts"))};
async function main() {
  const out = [];
  for await (const c of createRedactor({ format: "json" }).redactChunks(process.stdin)) out.push(c);
  process.stdout.write(Buffer.concat(out));
}
main();
`,
);

it.each([
  ["bun", [join(ROOT, "node_modules/.bin/bun"), script]],
  // The repo's deno.json resolves bare npm imports (zod), as for `deno task residue`.
  ["deno", [join(ROOT, "node_modules/.bin/deno"), "run", "-A", "--quiet", "--config", join(ROOT, "deno.json"), script]],
])("%s gives the same output as node", (_runtime, [command, ...args]) => {
  expect(expected).toContain("[REDACTED:");
  const run = spawnSync(command as string, args, { input: planted, encoding: "utf8", cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  expect(run.stderr).toBe("");
  expect(run.stdout).toBe(expected);
});
