// The UI's sign-in: a signed session cookie instead of basic auth on every visit, in the real runtime.
import { describe, expect, inject, it } from "vitest";
import { baseUrl } from "../../api/test/support/client.ts";
import { SESSION_COOKIE, signSession } from "../src/server/ui-session.ts";

const env = () => ({ ADMIN_PASSWORD: inject("adminPassword"), AUTH_TOKEN: inject("authToken") }) as never;

function login(user: string, password: string, next = "/app/some/where") {
  const body = new URLSearchParams({ username: user, password, next });
  return fetch(`${baseUrl()}/app/-/login`, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { origin: baseUrl(), "content-type": "application/x-www-form-urlencoded" },
  });
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
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=\\d+\\.[\\w-]+; .*HttpOnly`, "i"));
    expect(cookie).toMatch(/Path=\/app/i);
    const value = cookie.split(";")[0] as string;
    const page = await fetch(`${baseUrl()}/app`, { headers: { cookie: value } });
    expect(page.status).toBe(200);
  });

  it("rejects a forged or expired cookie", async () => {
    const valid = await signSession(env(), Date.now());
    const forged = `${Number(valid.split(".")[0]) + 1000}.${valid.split(".")[1]}`;
    const expired = await signSession(env(), Date.now() - 8 * 24 * 3600 * 1000);
    for (const value of [forged, expired, "garbage", `${valid}x`]) {
      const res = await fetch(`${baseUrl()}/app`, { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
      expect(res.status, value).toBe(401);
    }
    expect((await fetch(`${baseUrl()}/app`, { headers: { cookie: `${SESSION_COOKIE}=${valid}` } })).status).toBe(200);
  });

  it("never redirects off the app after signing in", async () => {
    for (const next of ["https://evil.example/", "//evil.example/x", "/api/orgs", "javascript:alert(1)"]) {
      const res = await login(inject("adminUser"), inject("adminPassword"), next);
      expect(res.headers.get("location"), next).toBe("/app");
    }
  });

  it("signs out", async () => {
    const res = await fetch(`${baseUrl()}/app/-/logout`, {
      redirect: "manual",
      headers: { cookie: `${SESSION_COOKIE}=${await signSession(env(), Date.now())}` },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(
      new RegExp(`^${SESSION_COOKIE}=;|${SESSION_COOKIE}=deleted|Max-Age=0|Expires=Thu, 01 Jan 1970`, "i"),
    );
  });
});
