// A server of the suite's own, for tests that would disturb the shared one (load, fuzzing, lockouts), and
// the calls every hardening test makes against a server.
import { afterAll, beforeAll } from "vitest";
import type { LocalSecrets } from "../../api/local/dev-vars.ts";
import { type LocalServer, startTemporaryServer } from "../../api/local/server.ts";

export interface Target {
  url: string;
  token: string;
}

/** Starts a dedicated server before the file's tests and stops it after; the getter is valid inside tests. */
export function dedicatedServer(vars: Record<string, string> = {}): () => Target & { secrets: LocalSecrets } {
  let server: (LocalServer & { secrets: LocalSecrets }) | undefined;
  beforeAll(async () => {
    server = await startTemporaryServer({ vars });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error("the dedicated server has not started");
    return { url: server.url, token: server.secrets.AUTH_TOKEN, secrets: server.secrets };
  };
}

/** A JSON call to the API with the target's token. */
export async function callApi(target: Target, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${target.url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${target.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T, i);
    }
  });
  await Promise.all(runners);
  return out;
}
