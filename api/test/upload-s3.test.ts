// The presigned-URL path against a real S3-compatible server (s3rver) on loopback.
// s3rver does not verify signatures, so this proves the URL's shape and the happy path; rejection of
// tampered or expired URLs is proven on the app's own signed route (uploads.test.ts).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type LocalServer, startTemporaryServer } from "../local/server.ts";

const BUCKET = "residue-sessions";
let dir: string;
let s3: S3rver;
let s3Endpoint: string;
let app: LocalServer & { secrets: { AUTH_TOKEN: string } };
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "residue-s3-"));
  const s3Port = await freePort();
  s3 = new S3rver({
    port: s3Port,
    address: "127.0.0.1",
    silent: true,
    directory: join(dir, "s3"),
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  await s3.run();
  s3Endpoint = `http://127.0.0.1:${s3Port}`;
  app = await startTemporaryServer({
    vars: {
      R2_ACCESS_KEY_ID: "S3RVER",
      R2_SECRET_ACCESS_KEY: "S3RVER",
      R2_ACCOUNT_ID: "test-account",
      R2_BUCKET_NAME: BUCKET,
      R2_S3_ENDPOINT: s3Endpoint,
    },
  });
  token = app.secrets.AUTH_TOKEN;
});

afterAll(async () => {
  await app?.stop();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function uploadUrl(sessionId: string) {
  const res = await fetch(`${app.url}/api/sessions/upload-url`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ session_id: sessionId }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { url: string; expires_at: string };
}

describe("presigned S3 upload URLs", () => {
  it("presigns a PUT for exactly the session's key on the S3 endpoint, expiring in 15 minutes", async () => {
    const id = randomUUID();
    const { url, expires_at } = await uploadUrl(id);
    const u = new URL(url);
    expect(u.origin).toBe(s3Endpoint);
    expect(u.pathname).toBe(`/${BUCKET}/sessions/${id}`);
    expect(u.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(u.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(u.searchParams.get("X-Amz-Credential")).toMatch(/^S3RVER\/\d{8}\/auto\/s3\/aws4_request$/);
    expect(u.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(14 * 60 * 1000);
  });

  it("accepts the PUT and serves the same bytes back from S3", async () => {
    const id = randomUUID();
    const { url } = await uploadUrl(id);
    const body = '{"type":"user"}\n'.repeat(1000);
    const put = await fetch(url, { method: "PUT", body, headers: { "content-type": "application/x-ndjson" } });
    expect(put.status).toBe(200);
    const get = await fetch(`${s3Endpoint}/${BUCKET}/sessions/${id}`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(body);
  });

  it("uses R2's S3 endpoint when no override is configured", async () => {
    // The URL is only built, never fetched: no network leaves this machine.
    const { createUploadUrl } = await import("../src/storage/upload-url.ts");
    const made = await createUploadUrl(
      { R2_ACCESS_KEY_ID: "k", R2_SECRET_ACCESS_KEY: "s", R2_ACCOUNT_ID: "acct123", R2_BUCKET_NAME: "b" } as never,
      "0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44",
      undefined,
      "http://unused",
      Date.parse("2026-11-24T12:00:00Z"),
      "n",
    );
    expect(new URL(made.url).origin).toBe("https://acct123.r2.cloudflarestorage.com");
    expect(new URL(made.url).pathname).toBe("/b/sessions/0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44");
    expect(made.url).toContain("X-Amz-Date=20261124T120000Z");
  });
});
