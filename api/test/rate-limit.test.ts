// Lockouts after repeated authentication failures, on a server of its own (the shared one lifts the limit,
// since every suite comes from 127.0.0.1). Clients are told apart by CF-Connecting-IP, as on Cloudflare.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTemporaryServer } from "../local/server.ts";

let server: Awaited<ReturnType<typeof startTemporaryServer>>;
beforeAll(async () => {
  server = await startTemporaryServer();
});
afterAll(async () => {
  await server?.stop();
});

const bearer = (token: string, ip: string) =>
  fetch(`${server.url}/api/auth/check`, { headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": ip } });

const signIn = (password: string, ip: string) =>
  fetch(`${server.url}/app/-/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: server.url, "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": ip },
    body: new URLSearchParams({ username: server.secrets.ADMIN_USERNAME, password, next: "/app" }),
  });

describe("authentication failures", () => {
  it("lock a client out of the API after 20 wrong tokens, right token included, and leave other clients alone", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await bearer(`wrong-${i}`, "203.0.113.7")).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const locked = await bearer(server.secrets.AUTH_TOKEN, "203.0.113.7");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe("too_many_failures");
    expect((await bearer(server.secrets.AUTH_TOKEN, "198.51.100.9")).status).toBe(200);
  });

  it("count an IPv6 client by its /64", async () => {
    for (let i = 0; i < 20; i++) await bearer("wrong", `2001:db8:1:2::${i.toString(16)}`);
    expect((await bearer(server.secrets.AUTH_TOKEN, "2001:db8:1:2:ffff::1")).status).toBe(429);
    expect((await bearer(server.secrets.AUTH_TOKEN, "2001:db8:1:3::1")).status).toBe(200);
  });

  it("lock a client out of the sign-in form the same way", async () => {
    for (let i = 0; i < 20; i++) expect((await signIn(`wrong-${i}`, "203.0.113.50")).status).toBe(401);
    const locked = await signIn(server.secrets.ADMIN_PASSWORD, "203.0.113.50");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(await locked.text()).toContain("Too many failed sign-ins");
    expect((await signIn(server.secrets.ADMIN_PASSWORD, "198.51.100.50")).status).toBe(303);
  });

  it("count basic-auth guesses at the /app gate with the sign-in form's", async () => {
    const basic = (password: string, ip: string) =>
      fetch(`${server.url}/app`, {
        headers: { authorization: `Basic ${btoa(`${server.secrets.ADMIN_USERNAME}:${password}`)}`, "cf-connecting-ip": ip },
      });
    for (let i = 0; i < 20; i++) expect((await basic(`wrong-${i}`, "203.0.113.80")).status).toBe(401);
    const locked = await basic(server.secrets.ADMIN_PASSWORD, "203.0.113.80");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(60);
    expect((await signIn(server.secrets.ADMIN_PASSWORD, "203.0.113.80")).status).toBe(429);
    expect((await basic(server.secrets.ADMIN_PASSWORD, "198.51.100.80")).status).toBe(200);
  });
});
