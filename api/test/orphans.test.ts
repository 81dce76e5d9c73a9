// Uploads whose session never arrives are swept (issue 9 #16), on a server of its own whose upload URLs
// live 5 s (long enough for a loaded machine to use them) and whose grace period is 0, so the sweep is due at once.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTemporaryServer } from "../local/server.ts";
import { sessionMeta, uniqueRepo } from "./support/client.ts";
import { storedObjectKeys } from "./support/r2-objects.ts";

let server: Awaited<ReturnType<typeof startTemporaryServer>>;
beforeAll(async () => {
  server = await startTemporaryServer({ vars: { UPLOAD_URL_TTL_SECONDS: "5", UPLOAD_ORPHAN_GRACE_SECONDS: "0" } });
});
afterAll(async () => {
  await server?.stop();
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${server.secrets.AUTH_TOKEN}`, "content-type": "application/json", ...init.headers },
  });
const uploadUrl = async (id: string, object?: { generation: number; push: number; kind: "chunk" | "index" }) =>
  (
    (await (await call("/sessions/upload-url", { method: "POST", body: JSON.stringify({ session_id: id, object }) })).json()) as {
      url: string;
    }
  ).url;

describe("orphaned uploads", () => {
  it("are deleted once their URL expired without their session arriving; sessions that arrived keep theirs", async () => {
    const data = '{"type":"user","message":{"role":"user","content":"orphan"}}\n';
    const orphan = sessionMeta(data);
    const kept = sessionMeta(data);
    for (const meta of [orphan, kept]) expect((await fetch(await uploadUrl(meta.id), { method: "PUT", body: data })).status).toBe(200);
    // The orphan also has objects of a push in segments, under its prefix.
    for (const kind of ["chunk", "index"] as const) {
      const url = await uploadUrl(orphan.id, { generation: 1, push: 0, kind });
      expect((await fetch(url, { method: "PUT", body: data })).status).toBe(200);
    }
    expect([...storedObjectKeys(server.persistTo)].filter((k) => k.startsWith(`sessions/${orphan.id}`)).length).toBe(3);
    expect((await call("/sessions", { method: "POST", body: JSON.stringify({ repo: uniqueRepo(), sessions: [kept] }) })).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 6000));
    await uploadUrl(randomUUID()); // a grant sweeps

    // The orphan's metadata now finds no data; the session that arrived still has its data.
    expect((await call("/sessions", { method: "POST", body: JSON.stringify({ repo: uniqueRepo(), sessions: [orphan] }) })).status).toBe(
      200,
    );
    const gone = await call(`/sessions/${orphan.id}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe("session_data_missing");
    expect(await (await call(`/sessions/${kept.id}`)).text()).toBe(data);
    expect([...storedObjectKeys(server.persistTo)].filter((k) => k.startsWith(`sessions/${orphan.id}`))).toEqual([]);
  });
});
