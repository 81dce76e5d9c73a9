// Where the CLI sends data: ~/.residue/config (mode 0600), overridden by RESIDUE_URL / RESIDUE_TOKEN.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { CliError, EXIT } from "../errors/cli-error.ts";

export const Config = z.object({ url: z.url(), token: z.string().min(1) });
export type Config = z.infer<typeof Config>;

export function configPath(home: string) {
  return join(home, ".residue", "config");
}

export type ConfigResult = { ok: true; config: Config; source: string } | { ok: false; problem: string; hint: string };

const LOGIN_HINT = "run `residue login --url URL` (it asks for the token)";

export function loadConfig(home: string, env: Record<string, string | undefined>): ConfigResult {
  const path = configPath(home);
  let saved: Partial<Config> = {};
  if (existsSync(path)) {
    try {
      saved = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      return { ok: false, problem: `${path} is not valid JSON`, hint: "fix it, or move it away and run `residue login --url URL`" };
    }
  }
  const merged = { url: env.RESIDUE_URL || saved.url, token: env.RESIDUE_TOKEN || saved.token };
  if (!merged.url || !merged.token) return { ok: false, problem: "not logged in", hint: LOGIN_HINT };
  const parsed = Config.safeParse({ ...merged, url: merged.url.replace(/\/+$/, "") });
  if (!parsed.success) return { ok: false, problem: `the server URL '${merged.url}' is not a valid URL`, hint: LOGIN_HINT };
  const source = env.RESIDUE_URL || env.RESIDUE_TOKEN ? "environment (RESIDUE_URL / RESIDUE_TOKEN)" : path;
  return { ok: true, config: parsed.data, source };
}

/** The login, for commands that cannot work without one. */
export function requireConfig(home: string, env: Record<string, string | undefined>): Config {
  const result = loadConfig(home, env);
  if (!result.ok) throw new CliError(result.problem, result.hint, EXIT.auth);
  return result.config;
}

/**
 * Rewrites ~/.residue/config through `change`, keeping every other section (the login keeps the user's
 * redaction and ignore rules, `residue ignore` keeps the login). A file that is not JSON is never overwritten.
 */
export function updateUserConfig(home: string, change: (saved: Record<string, unknown>) => Record<string, unknown>) {
  const path = configPath(home);
  let saved: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      saved = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new CliError(`${path} is not valid JSON`, "fix it (or move it away) first: it may hold rules you wrote", undefined, {
        cause: error,
      });
    }
    if (typeof saved !== "object" || saved === null || Array.isArray(saved))
      throw new CliError(`${path} is not a JSON object`, "fix it (or move it away) first");
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(change(saved), null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export function saveConfig(home: string, config: Config) {
  updateUserConfig(home, (saved) => ({ ...saved, url: config.url, token: config.token }));
}
