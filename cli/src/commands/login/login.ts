import { configPath, saveConfig } from "../../config/config.ts";
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";

const EXAMPLE = "e.g. residue login --url http://127.0.0.1:8787 --token-stdin < token.txt";

export interface LoginOptions {
  url: string;
  /** The token itself, or "-" for stdin. */
  token?: string;
  tokenStdin?: boolean;
}

/** The token from stdin, a prompt, or (visible to other users in the process list) the command line. */
async function readToken(opts: LoginOptions, deps: Deps): Promise<string> {
  if (opts.tokenStdin || opts.token === "-") {
    const token = (await deps.readStdin()).trim();
    if (!token) throw new CliError("no token on stdin", `pipe it in, ${EXAMPLE}`, EXIT.usage);
    return token;
  }
  if (opts.token) return opts.token;
  if (!deps.stdinIsTTY)
    throw new CliError("no token given, and no terminal to ask for one", `pipe it in with --token-stdin, ${EXAMPLE}`, EXIT.usage);
  const token = (await deps.ask("API token (not shown): ", { secret: true })).trim();
  if (!token) throw new CliError("no token entered", "run residue login again and paste the token printed by `npm start`", EXIT.usage);
  return token;
}

export async function runLogin(opts: LoginOptions, deps: Deps) {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new CliError(
      `'${opts.url}' is not a URL`,
      "give the server's address, e.g. residue login --url http://127.0.0.1:8787",
      EXIT.usage,
    );
  }
  if (!/^https?:$/.test(url.protocol))
    throw new CliError(
      `the server URL must start with http:// or https://, not ${url.protocol}`,
      "e.g. residue login --url http://127.0.0.1:8787",
      EXIT.usage,
    );
  const base = url.toString().replace(/\/+$/, "");
  const token = await readToken(opts, deps);
  const { client } = deps.api({ login: { url: base, token }, timeoutMs: 10_000 });
  const health = await client.health();
  if (health.service !== "residue") throw new CliError(`${base} answered, but it is not a residue server`, "check the URL", EXIT.usage);
  try {
    await client.checkToken();
  } catch (error) {
    // The client's advice is to log in again, which is what is happening: say where the right token is.
    if (error instanceof CliError && error.exitCode === EXIT.auth)
      throw new CliError(error.message, "use the token printed by `npm start` (or set as AUTH_TOKEN on the server)", EXIT.auth);
    throw error;
  }
  saveConfig(deps.home, { url: base, token });
  deps.out(`Logged in to ${base}; saved to ${configPath(deps.home)}\n`);
}
