import { randomUUID } from "node:crypto";
import { get as httpGet, type IncomingHttpHeaders } from "node:http";
import { gzipSync } from "node:zlib";
import { wholeObjectKey } from "@residue/store";
import { describe, expect, inject, it } from "vitest";
import { signUpload } from "../src/storage/local-signature.ts";
import { api, baseUrl, commitMapping, fakeSha, postJson, sessionMeta, sha256, uniqueRepo, uploadData } from "./support/client.ts";

const transcript = '{"type":"user","message":{"role":"user","content":"hello"}}\n{"type":"assistant"}\n';

async function signedUrl(sessionId: string, expires: number, keyFor = sessionId) {
  const signature = await signUpload(inject("authToken"), wholeObjectKey(keyFor), expires, "n");
  return `${baseUrl()}/api/uploads/${sessionId}?expires=${expires}&nonce=n&signature=${signature}`;
}

/** A GET as curl sees it (without --compressed, unless `headers` say gzip): bytes exactly as sent. */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${baseUrl()}${path}`, { headers: { authorization: `Bearer ${inject("authToken")}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

describe("local upload URLs", () => {
  it("issues a signed URL of the app itself that expires in 15 minutes", async () => {
    const id = randomUUID();
    const before = Date.now();
    const res = await postJson("/sessions/upload-url", { session_id: id });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string; expires_at: string };
    const url = new URL(body.url);
    expect(url.pathname).toBe(`/api/uploads/${id}`);
    expect(url.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);
    const ttl = Date.parse(body.expires_at) - before;
    expect(ttl).toBeGreaterThan(14 * 60 * 1000);
    expect(ttl).toBeLessThanOrEqual(15 * 60 * 1000 + 1000);
  });

  it("round-trips data through the URL, metadata and GET", async () => {
    const meta = sessionMeta(transcript);
    await uploadData(meta.id, transcript);
    const repo = uniqueRepo();
    const sha = fakeSha(meta.id);
    const post = await postJson("/sessions", { repo, sessions: [meta], commits: [commitMapping(sha, [meta.id])] });
    expect(post.status).toBe(200);
    expect(await post.json()).toEqual({ sessions: 1, commits: 1, links: 1, deleted: [], stored: [] });

    const raw = await api(`/sessions/${meta.id}`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get("content-type")).toBe("application/x-ndjson");
    expect(await raw.text()).toBe(transcript);
  });

  it("never serves session data as an uploader-chosen active type", async () => {
    const html = "<script>alert(1)</script>";
    const meta = sessionMeta(html);
    const { url } = (await (await postJson("/sessions/upload-url", { session_id: meta.id })).json()) as { url: string };
    expect((await fetch(url, { method: "PUT", body: html, headers: { "content-type": "text/html; charset=utf-8" } })).status).toBe(200);
    await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] });
    const raw = await api(`/sessions/${meta.id}`);
    expect(raw.headers.get("content-type")).toBe("application/octet-stream");
    expect(raw.headers.get("x-content-type-options")).toBe("nosniff");
    expect(raw.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(await raw.text()).toBe(html);
  });

  it("stores binary (gzip) bodies byte for byte", async () => {
    const bytes = new Uint8Array(256 * 1024).map((_, i) => (i * 7919) % 256);
    const meta = sessionMeta("x", { byte_size: bytes.length, content_hash: sha256(bytes) });
    await uploadData(meta.id, bytes);
    await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] });
    const raw = new Uint8Array(await (await api(`/sessions/${meta.id}`)).arrayBuffer());
    expect(raw.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(raw), Buffer.from(bytes))).toBe(0);
  });

  it("accepts a URL once", async () => {
    const meta = sessionMeta(transcript);
    const url = await uploadData(meta.id, transcript);
    const again = await fetch(url, { method: "PUT", body: "replaced", headers: { "content-type": "application/x-ndjson" } });
    expect(again.status).toBe(403);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("upload_url_used");
    expect((await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] })).status).toBe(200);
    expect(await (await api(`/sessions/${meta.id}`)).text()).toBe(transcript);
  });

  it("serves gzip-stored data as the transcript: gzip-encoded on the wire byte for byte as stored, or plain", async () => {
    const meta = sessionMeta(transcript);
    const stored = gzipSync(transcript);
    await uploadData(meta.id, stored);
    expect((await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] })).status).toBe(200);
    const wire = await rawGet(`/api/sessions/${meta.id}`, { "accept-encoding": "gzip" });
    expect(wire.headers["content-encoding"]).toBe("gzip");
    expect(wire.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(Buffer.compare(wire.body, stored)).toBe(0);
    for (const asked of [rawGet(`/api/sessions/${meta.id}?plain=1`), rawGet(`/api/sessions/${meta.id}`)]) {
      const plain = await asked;
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.body.toString("utf8")).toBe(transcript);
    }
    expect(await (await api(`/sessions/${meta.id}`)).text()).toBe(transcript);
  });

  it("checks gzip data against the transcript's size and hash, as the CLI uploads it", async () => {
    const meta = sessionMeta(transcript);
    await uploadData(meta.id, gzipSync(transcript));
    expect((await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] })).status).toBe(200);
  });

  it.each([
    ["another hash", (m: ReturnType<typeof sessionMeta>) => ({ ...m, content_hash: sha256("something else") })],
    ["a smaller size", (m: ReturnType<typeof sessionMeta>) => ({ ...m, byte_size: m.byte_size - 1 })],
    ["a larger size", (m: ReturnType<typeof sessionMeta>) => ({ ...m, byte_size: m.byte_size + 1 })],
  ])("refuses metadata with %s than the uploaded data, and stores nothing", async (_name, change) => {
    const meta = sessionMeta(transcript);
    await uploadData(meta.id, gzipSync(transcript));
    const post = await postJson("/sessions", { repo: uniqueRepo(), sessions: [change(meta)] });
    expect(post.status).toBe(422);
    const { error } = (await post.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("data_mismatch");
    expect(error.message).toContain(meta.id);
    expect((await api(`/sessions/${meta.id}`)).status).toBe(404);
  });

  it("lets an older post of other data through unchecked, since it does not replace the newer one", async () => {
    const grown = `${transcript}{"type":"user","message":{"role":"user","content":"more"}}\n`;
    const newer = sessionMeta(grown, { data_updated_at: Date.parse("2026-11-20T12:00:00Z") });
    await uploadData(newer.id, gzipSync(grown));
    const repo = uniqueRepo();
    expect((await postJson("/sessions", { repo, sessions: [newer] })).status).toBe(200);
    const older = sessionMeta(transcript, { id: newer.id, data_updated_at: Date.parse("2026-11-20T11:00:00Z") });
    expect((await postJson("/sessions", { repo, sessions: [older] })).status).toBe(200);
    expect(await (await api(`/sessions/${newer.id}`)).text()).toBe(grown);
  });

  it("refuses metadata for damaged gzip data", async () => {
    const meta = sessionMeta(transcript);
    await uploadData(meta.id, gzipSync(transcript).subarray(0, 20));
    expect((await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] })).status).toBe(422);
  });

  it("rejects an expired URL even with a valid signature", async () => {
    const id = randomUUID();
    const res = await fetch(await signedUrl(id, Math.floor(Date.now() / 1000) - 5), { method: "PUT", body: "x" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upload_url_expired");
  });

  it("rejects a URL signed for another session", async () => {
    const res = await fetch(await signedUrl(randomUUID(), Math.floor(Date.now() / 1000) + 600, randomUUID()), { method: "PUT", body: "x" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_signature");
  });

  it("rejects a URL whose expiry was pushed later", async () => {
    const { url } = (await (await postJson("/sessions/upload-url", { session_id: randomUUID() })).json()) as { url: string };
    const tampered = new URL(url);
    tampered.searchParams.set("expires", String(Number(tampered.searchParams.get("expires")) + 3600));
    const res = await fetch(tampered, { method: "PUT", body: "x" });
    expect(res.status).toBe(403);
  });

  it.each([
    ["no signature", (u: URL) => u.searchParams.delete("signature")],
    ["no expiry", (u: URL) => u.searchParams.delete("expires")],
    ["garbage signature", (u: URL) => u.searchParams.set("signature", "zz")],
    [
      "one signature digit changed",
      (u: URL) => {
        const sig = u.searchParams.get("signature") ?? "";
        u.searchParams.set("signature", `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`);
      },
    ],
  ])("rejects a URL with %s", async (_name, mutate) => {
    const { url } = (await (await postJson("/sessions/upload-url", { session_id: randomUUID() })).json()) as { url: string };
    const u = new URL(url);
    mutate(u);
    const res = await fetch(u, { method: "PUT", body: "x" });
    expect(res.status).toBe(403);
  });

  it("needs no bearer token for the signed PUT but does for the URL", async () => {
    const res = await postJson("/sessions/upload-url", { session_id: randomUUID() }, { token: null });
    expect(res.status).toBe(401);
  });

  it("answers GET of a session whose data was never uploaded with 404", async () => {
    const meta = sessionMeta("never uploaded");
    await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] });
    const res = await api(`/sessions/${meta.id}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("session_data_missing");
  });
});
