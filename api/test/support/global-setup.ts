// Builds the app once and serves it in workerd (wrangler dev, local D1 + R2) for every integration suite.
import type { TestProject } from "vitest/node";
import { buildApp, type LocalServer, startTemporaryServer } from "../../local/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    authToken: string;
    adminUser: string;
    adminPassword: string;
    /** Where the server's local D1 and R2 keep their data. */
    persistTo: string;
  }
}

let server: (LocalServer & { secrets: Record<string, string>; persistTo: string }) | undefined;

export async function setup(project: TestProject) {
  await buildApp();
  let log = "";
  try {
    // Every suite comes from 127.0.0.1 and some send wrong credentials on purpose: lockouts would leak
    // between suites, so they are tested on a server of their own (api/test/rate-limit.test.ts).
    server = await startTemporaryServer({ vars: { AUTH_FAILURE_LIMIT: "1000000" }, onOutput: (s) => (log += s) });
  } catch (error) {
    console.error(log);
    throw error;
  }
  project.provide("baseUrl", server.url);
  project.provide("authToken", server.secrets.AUTH_TOKEN as string);
  project.provide("adminUser", server.secrets.ADMIN_USERNAME as string);
  project.provide("adminPassword", server.secrets.ADMIN_PASSWORD as string);
  project.provide("persistTo", server.persistTo);
}

export async function teardown() {
  await server?.stop();
}
