// Builds the app once and serves it in workerd (wrangler dev, local D1 + R2) for every integration suite.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { generateSecrets } from "../../local/dev-vars.ts";
import { buildApp, freePort, type LocalServer, startLocalServer } from "../../local/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    authToken: string;
    adminUser: string;
    adminPassword: string;
  }
}

let server: LocalServer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  await buildApp();
  dir = mkdtempSync(join(tmpdir(), "residue-test-"));
  const secrets = generateSecrets();
  const envFile = join(dir, "test.vars");
  writeFileSync(
    envFile,
    Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );
  let log = "";
  try {
    server = await startLocalServer({ port: await freePort(), persistTo: join(dir, "state"), envFile, onOutput: (s) => (log += s) });
  } catch (error) {
    console.error(log);
    throw error;
  }
  project.provide("baseUrl", server.url);
  project.provide("authToken", secrets.AUTH_TOKEN);
  project.provide("adminUser", secrets.ADMIN_USERNAME);
  project.provide("adminPassword", secrets.ADMIN_PASSWORD);
}

export async function teardown() {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
