import { configPath, saveConfig } from "../../config/config.ts";
import type { Deps } from "../../deps.ts";
import { ApiClient, ApiRequestError } from "../../upload/api-client.ts";
import { UserError } from "../errors.ts";

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
    if (!token) throw new UserError("No token on stdin. Example: residue login --url URL --token-stdin < token.txt");
    return token;
  }
  if (opts.token) return opts.token;
  if (!deps.stdinIsTTY)
    throw new UserError("No token given: pipe it in with --token-stdin (e.g. residue login --url URL --token-stdin < token.txt).");
  const token = (await deps.promptSecret("API token (not shown): ")).trim();
  if (!token) throw new UserError("No token entered; run residue login again and paste the token printed by `npm start`.");
  return token;
}

export async function runLogin(opts: LoginOptions, deps: Deps) {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new UserError(`'${opts.url}' is not a URL. Example: residue login --url http://127.0.0.1:8787`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UserError(`The server URL must start with http:// or https://, not ${url.protocol}`);
  const base = url.toString().replace(/\/+$/, "");
  const token = await readToken(opts, deps);
  const client = new ApiClient(base, token, 10_000);
  try {
    const health = await client.health();
    if (health.service !== "residue") throw new UserError(`${base} answered, but it is not a residue server.`);
    await client.checkToken();
  } catch (error) {
    if (error instanceof ApiRequestError) {
      if (error.status === 401)
        throw new UserError(`${base} rejected the token (${error.message}). Check the token printed by \`npm start\` or your setup.`);
      throw new UserError(`${error.message}. Is the server running? (npm start)`);
    }
    throw error;
  }
  saveConfig(deps.home, { url: base, token });
  deps.out(`Logged in to ${base}; saved to ${configPath(deps.home)}\n`);
}
