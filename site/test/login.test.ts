// The UI's sign-in: a signed session cookie instead of basic auth on every visit, in the real runtime.
import { randomBytes } from "node:crypto";
import type { Env } from "@residue/api/env";
import { describe, expect, inject, it } from "vitest";
import { baseUrl } from "../../api/test/support/client.ts";
import { SESSION_COOKIE, signSession } from "../src/server/ui-session.ts";

// The two secrets signing reads; the rest of the Worker's environment plays no part.
const env = () => ({ ADMIN_PASSWORD: inject("adminPassword"), AUTH_TOKEN: inject("authToken") }) as unknown as Env;

function login(user: string, password: string, next = "/app/some/where") {
  const body = new URLSearchParams({ username: user, password, next });
  return fetch(`${baseUrl()}/app/-/login`, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { origin: baseUrl(), "content-type": "application/x-www-form-urlencoded" },
  });
}

/** A cookie value from a real sign-in. */
async function signedIn(): Promise<string> {
  const res = await login(inject("adminUser"), inject("adminPassword"));
  return ((res.headers.get("set-cookie") ?? "").split(";")[0] as string).slice(SESSION_COOKIE.length + 1);
}

describe("signing in to the UI", () => {
  it("sends a browser without credentials to the sign-in page, and anything else a basic-auth challenge", async () => {
    const res = await fetch(`${baseUrl()}/app/acme?x=1`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/app/-/login?next=%2Fapp%2Facme%3Fx%3D1");
    const page = await fetch(`${baseUrl()}/app/-/login?next=%2Fapp%2Facme`);
    const html = await page.text();
    expect(html).toContain("Sign in to residue");
    expect(html).toContain('value="/app/acme"');
    const api = await fetch(`${baseUrl()}/app/acme`);
    expect(api.status).toBe(401);
    expect(api.headers.get("www-authenticate")).toMatch(/^Basic realm="residue"/);
  });

  it("refuses wrong credentials, and signs in with the right ones", async () => {
    const wrong = await login(inject("adminUser"), "nope");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("do not match");

    const ok = await login(inject("adminUser"), inject("adminPassword"));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/app/some/where");
    const cookie = ok.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[0-9a-f]{32}\\.\\d+\\.[\\w-]+; .*HttpOnly`, "i"));
    expect(cookie).toMatch(/Path=\/app/i);
    const value = cookie.split(";")[0] as string;
    const page = await fetch(`${baseUrl()}/app`, { headers: { cookie: value } });
    expect(page.status).toBe(200);
  });

  it("rejects a forged, expired or never-issued cookie", async () => {
    const valid = await signedIn();
    const [id, expires, sig] = valid.split(".");
    const inAWeek = Math.floor(Date.now() / 1000) + 7 * 24 * 3600;
    const forged = `${id}.${Number(expires) + 1000}.${sig}`;
    const expired = await signSession(env(), id as string, Math.floor(Date.now() / 1000) - 60);
    // Signed with the right key, but the server never issued it: a cookie needs its server-side row.
    const neverIssued = await signSession(env(), randomBytes(16).toString("hex"), inAWeek);
    // A password change changes the signing key: every cookie signed before it is void.
    const beforePasswordChange = await signSession({ ...env(), ADMIN_PASSWORD: "the old one" }, id as string, inAWeek);
    for (const value of [forged, expired, neverIssued, beforePasswordChange, "garbage", `${valid}x`, `${valid}.x`]) {
      const res = await fetch(`${baseUrl()}/app`, { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
      expect(res.status, value).toBe(401);
    }
    expect((await fetch(`${baseUrl()}/app`, { headers: { cookie: `${SESSION_COOKIE}=${valid}` } })).status).toBe(200);
  });

  it.each([
    ["a JSON body", "application/json", '{"username":"a","password":"b"}', 415],
    ["a malformed multipart body", "multipart/form-data; boundary=xyz", "--xyz\r\nnot a part", 400],
    ["a multipart type without a boundary", "multipart/form-data", "x", 400],
    ["no Content-Type", null, "username=a&password=b", 415],
  ])("answers a sign-in POST with %s with a 4xx, not a crash", async (_name, type, body, status) => {
    const headers: Record<string, string> = { origin: baseUrl() };
    if (type) headers["content-type"] = type;
    const res = await fetch(`${baseUrl()}/app/-/login`, {
      method: "POST",
      body: new TextEncoder().encode(body),
      headers,
      redirect: "manual",
    });
    expect(res.status).toBe(status);
    expect(await res.text()).toContain("Sign in to residue");
  });

  it("never redirects off the app after signing in", async () => {
    for (const next of ["https://evil.example/", "//evil.example/x", "/api/orgs", "javascript:alert(1)"]) {
      const res = await login(inject("adminUser"), inject("adminPassword"), next);
      expect(res.headers.get("location"), next).toBe("/app");
    }
  });

  it("signs out with a same-origin POST only, and the old cookie stops working", async () => {
    const cookie = `${SESSION_COOKIE}=${await signedIn()}`;
    const page = (await (await fetch(`${baseUrl()}/app`, { headers: { cookie } })).text()) as string;
    expect(page).toMatch(/<form class="sign-out" method="post" action="\/app\/-\/logout">/);

    const get = await fetch(`${baseUrl()}/app/-/logout`, { redirect: "manual", headers: { cookie } });
    expect(get.status).toBe(405);
    for (const origin of ["https://evil.example", "null"]) {
      const cross = await fetch(`${baseUrl()}/app/-/logout`, { method: "POST", redirect: "manual", headers: { cookie, origin } });
      expect(cross.status, origin).toBe(403);
    }
    expect((await fetch(`${baseUrl()}/app`, { headers: { cookie } })).status).toBe(200);

    const res = await fetch(`${baseUrl()}/app/-/logout`, { method: "POST", redirect: "manual", headers: { cookie, origin: baseUrl() } });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(
      new RegExp(`^${SESSION_COOKIE}=;|${SESSION_COOKIE}=deleted|Max-Age=0|Expires=Thu, 01 Jan 1970`, "i"),
    );
    // A copy of the cookie kept elsewhere is revoked too.
    expect((await fetch(`${baseUrl()}/app`, { headers: { cookie } })).status).toBe(401);
  });
});
