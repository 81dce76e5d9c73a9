// `residue upgrade`: installs the build the server hands out (its own, docs/distribution.md) in place of
// this binary; `--check` only says whether there is one.
import { accessSync, constants, realpathSync } from "node:fs";
import { dirname } from "node:path";
import { requireConfig } from "../../config/config.ts";
import type { Deps } from "../../deps.ts";
import { CliError } from "../../errors/cli-error.ts";
import { formatBytes } from "../../terminal/bytes.ts";
import { VERSION } from "../../version.ts";
import { installBuild } from "./install.ts";
import { fetchManifest, pickFile } from "./release.ts";

export interface UpgradeOptions {
  check?: boolean;
  url?: string;
}

function progressLine(deps: Deps, file: string, total: number) {
  if (!deps.isTTY) return undefined;
  const width = 24;
  return (bytes: number) => {
    const filled = Math.round((Math.min(bytes, total) / Math.max(total, 1)) * width);
    deps.err(`\r  ${file} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${formatBytes(bytes)} of ${formatBytes(total)}`);
  };
}

export async function runUpgrade(opts: UpgradeOptions, deps: Deps) {
  const server = (opts.url ?? requireConfig(deps.home, deps.env).url).replace(/\/+$/, "");
  const manifest = await fetchManifest(server, 15_000);
  const want = pickFile(manifest, deps.platform, deps.arch);
  const same = manifest.version === VERSION;
  if (opts.check) {
    deps.out(
      same
        ? `residue ${VERSION} is the build ${server} hands out: nothing to upgrade\n`
        : `residue ${VERSION} here; ${server} hands out ${manifest.version} (${want.file}, ${formatBytes(want.bytes)}): run \`residue upgrade\` to install it\n`,
    );
    return;
  }
  if (same) {
    deps.out(`residue ${VERSION} is already the build ${server} hands out\n`);
    return;
  }
  // A compiled binary is its own executable; anything else runs as a script under a JS runtime.
  if (deps.selfCommand.length !== 1)
    throw new CliError(
      `this residue runs as a JS package (${deps.selfCommand.join(" ")}), which \`residue upgrade\` does not replace`,
      `upgrade it with the package manager that installed it (npm i -g …, bun add -g …), or install ${server}'s binary: curl -fsSL ${server}/install.sh | sh`,
    );
  const target = realpathSync(deps.selfCommand[0] as string);
  try {
    accessSync(dirname(target), constants.W_OK);
  } catch {
    throw new CliError(
      `cannot write to ${dirname(target)}, where residue is installed`,
      `run the upgrade as the user who installed it there, or reinstall where you can write: curl -fsSL ${server}/install.sh | sh`,
    );
  }
  const progress = progressLine(deps, want.file, want.bytes);
  await installBuild({
    url: `${server}/releases/${manifest.version}/${want.file}`,
    want,
    version: manifest.version,
    target,
    platform: deps.platform,
    progress,
  });
  if (progress) deps.err("\n");
  deps.out(`residue ${VERSION} → ${manifest.version} (${target})\n`);
}
