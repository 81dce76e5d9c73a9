// Runs the built app in workerd through wrangler, with local D1 + R2: used by `npm start` and the tests.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSecrets, type LocalSecrets } from "./dev-vars.ts";
import { runTool } from "./run-tool.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BUILT_DIR = join(ROOT, "site/dist");
export const BUILT_CONFIG = join(BUILT_DIR, "server/wrangler.json");
const BIN = join(ROOT, "node_modules/.bin");

export interface LocalServerOptions {
  port: number;
  persistTo: string;
  /** Where the server's own copy of the build goes (see snapshotBuild). */
  buildCopy: string;
  envFile: string;
  /** Extra Worker variables, e.g. R2_* settings in tests. */
  vars?: Record<string, string>;
  /** Where wrangler's output goes; a log file in tests, the terminal for `npm start`. */
  stdio?: "inherit" | "pipe";
  onOutput?: (chunk: string) => void;
}

export interface LocalServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const run = (command: string, args: string[], onOutput?: (s: string) => void) =>
  runTool(join(BIN, command), args, { cwd: ROOT, onOutput }).then(() => {});

/**
 * Builds into a fresh directory, then swaps it in with renames, so site/dist is always one whole build:
 * a server snapshotting it meanwhile copies the old one or retries, never half of each.
 */
export async function buildApp(onOutput?: (s: string) => void): Promise<void> {
  const next = `${BUILT_DIR}.next-${process.pid}`;
  const old = `${BUILT_DIR}.old-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  await run("astro", ["build", "--root", join(ROOT, "site"), "--outDir", next], onOutput);
  if (existsSync(BUILT_DIR)) renameSync(BUILT_DIR, old);
  renameSync(next, BUILT_DIR);
  rmSync(old, { recursive: true, force: true });
}

export function applyMigrations(persistTo: string, config: string, onOutput?: (s: string) => void): Promise<void> {
  return run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo, "--config", config], onOutput);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (!address || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler exited (${child.exitCode}) before serving:\n${log()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the app did not answer ${url}/api/health within ${timeoutMs} ms:\n${log()}`);
}

/**
 * Copies the build to `dir` and returns the copy's wrangler config. A server runs from its own copy
 * because `astro build` empties site/dist first: a rebuild (the test suite's, a deploy's) under a running
 * server would leave it answering 404 for every asset until restarted.
 */
export async function snapshotBuild(dir: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    if (!existsSync(BUILT_CONFIG) && attempt === 1) throw new Error(`${BUILT_CONFIG} is missing: build the app first (npm run build).`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      cpSync(BUILT_DIR, dir, { recursive: true });
      if (existsSync(join(dir, "server/wrangler.json"))) break;
    } catch (error) {
      // A rebuild swapped site/dist away mid-copy (buildApp); the next attempt copies the new one.
      if (attempt >= 5) throw error;
    }
    if (attempt >= 5) throw new Error(`could not copy a whole build from ${BUILT_DIR}`);
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
  const configPath = join(dir, "server/wrangler.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  // The generated config points at the migrations relative to site/dist; the copy lives elsewhere.
  for (const db of config.d1_databases ?? []) db.migrations_dir = join(ROOT, "api/migrations");
  writeFileSync(configPath, JSON.stringify(config));
  return configPath;
}

/** Applies migrations, starts wrangler dev on 127.0.0.1 from a copy of the build and resolves once /api/health answers. */
export async function startLocalServer(opts: LocalServerOptions): Promise<LocalServer> {
  const config = await snapshotBuild(opts.buildCopy);
  await applyMigrations(opts.persistTo, config, opts.onOutput);
  const args = [
    "dev",
    "--config",
    config,
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--persist-to",
    opts.persistTo,
    "--env-file",
    opts.envFile,
    "--show-interactive-dev-session=false",
    "--inspector-port",
    String(await freePort()),
    ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child = spawn(join(BIN, "wrangler"), args, {
    cwd: ROOT,
    stdio: opts.stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    detached: process.platform !== "win32",
  });
  let log = "";
  const collect = (d: Buffer) => {
    log += d.toString();
    opts.onOutput?.(d.toString());
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = once(child, "exit");
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
  try {
    await waitForHealth(url, child, 60_000, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, process: child, stop };
}

/** A throwaway app for tests and benchmarks: fresh secrets and state in a temp dir, removed on stop. */
export async function startTemporaryServer(
  opts: Pick<LocalServerOptions, "vars" | "onOutput"> = {},
): Promise<LocalServer & { secrets: LocalSecrets; persistTo: string }> {
  const dir = mkdtempSync(join(tmpdir(), "residue-app-"));
  const secrets = generateSecrets();
  const envFile = join(dir, "secrets.vars");
  writeFileSync(
    envFile,
    Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );
  try {
    const server = await startLocalServer({
      port: await freePort(),
      persistTo: join(dir, "state"),
      buildCopy: join(dir, "build"),
      envFile,
      ...opts,
    });
    return {
      ...server,
      secrets,
      persistTo: join(dir, "state"),
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
