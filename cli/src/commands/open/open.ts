import type { Deps } from "../../deps.ts";
import { fullSha, permalink, thisRepo } from "../remote.ts";

function desktopOpener(platform: NodeJS.Platform): string {
  return platform === "darwin" ? "open" : platform === "win32" ? "explorer" : "xdg-open";
}

/** Opens the commit's permalink in a browser ($BROWSER, else the desktop's opener) and prints it. */
export async function runOpen(rev: string, deps: Deps) {
  const { repo } = await thisRepo(deps);
  const { url } = deps.api();
  const link = permalink(url, repo, await fullSha(deps, rev));
  deps.out(`${link}\n`);
  const opener = deps.env.BROWSER || desktopOpener(deps.platform);
  if (!(await deps.launch(opener, [link]))) deps.err(`residue: could not start '${opener}'; open the link above yourself\n`);
}
