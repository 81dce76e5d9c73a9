import { spawn } from "node:child_process";
import type { Deps } from "../../deps.ts";
import { client, fullSha, permalink, thisRepo } from "../remote.ts";

/** Opens the commit's permalink in a browser ($BROWSER, else the desktop's opener) and prints it. */
export async function runOpen(rev: string, deps: Deps) {
  const { repo } = await thisRepo(deps);
  const { url } = client(deps);
  const link = permalink(url, repo, await fullSha(deps, rev));
  deps.out(`${link}\n`);
  const opener = deps.env.BROWSER || (process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open");
  try {
    const child = spawn(opener, [link], { stdio: "ignore", detached: true });
    child.on("error", () => deps.err(`residue: could not start '${opener}'; open the link above yourself\n`));
    child.unref();
  } catch {
    deps.err(`residue: could not start '${opener}'; open the link above yourself\n`);
  }
}
