import { VERSION } from "@residue/cli/version";
import { describe, expect, inject, it } from "vitest";
import { api, baseUrl } from "./support/client.ts";

describe("health and auth", () => {
  it("answers /api/health without a token", async () => {
    const res = await api("/health", { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, service: "residue", version: VERSION });
  });

  it("names its build on every API answer: success, refusal and not found alike", async () => {
    const answers = [await api("/health", { token: null }), await api("/orgs"), await api("/orgs", { token: null }), await api("/no/such")];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 401, 404]);
    for (const res of answers) expect(res.headers.get("x-residue-server-version")).toBe(VERSION);
  });

  it("accepts the configured token", async () => {
    const res = await api("/auth/check");
    expect(res.status).toBe(200);
  });

  it.each([
    ["no header", undefined, "unauthorized"],
    ["wrong token", "Bearer nope", "invalid_token"],
    ["token one character off", () => `Bearer ${inject("authToken").slice(0, -1)}x`, "invalid_token"],
    ["token with a suffix", () => `Bearer ${inject("authToken")}x`, "invalid_token"],
    ["basic scheme", () => `Basic ${inject("authToken")}`, "unauthorized"],
    ["empty bearer", "Bearer ", "unauthorized"],
  ])("rejects %s with 401 JSON", async (_name, header, code) => {
    const value = typeof header === "function" ? header() : header;
    const res = await fetch(`${baseUrl()}/api/orgs`, { headers: value ? { authorization: value } : {} });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
  });

  it("answers unknown API routes with 404 JSON", async () => {
    const res = await api("/no/such/route");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: expect.stringContaining("/api/no/such/route") } });
  });

  it("guards the UI with basic auth", async () => {
    const denied = await fetch(`${baseUrl()}/app`);
    expect(denied.status).toBe(401);
    const wrong = await fetch(`${baseUrl()}/app`, { headers: { authorization: `Basic ${btoa(`${inject("adminUser")}:wrong`)}` } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${baseUrl()}/app`, {
      headers: { authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("residue");
  });
});
