import type { Env } from "@residue/api/env";
import { clientOf, countFailure, retryAfterSeconds } from "@residue/api/rate-limit";
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { checkCredentials, parseBasic, SESSION_COOKIE, verifySession } from "./ui-session.ts";

export const LOGIN_PATH = "/app/-/login";

/** What anyone may fetch without signing in; every other path the UI serves is behind the gate. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([LOGIN_PATH, "/highlight.css"]);

/**
 * The UI's gate, in front of everything Astro serves: a signed session cookie (from the sign-in page) or
 * basic auth with ADMIN_USERNAME / ADMIN_PASSWORD. A browser without either is sent to the sign-in page;
 * anything else (and wrong basic credentials) gets 401 with a basic-auth challenge.
 */
export function adminAuth(getEnv: () => Env): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (PUBLIC_PATHS.has(url.pathname)) return next();
    const env = getEnv();
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie && (await verifySession(env, cookie, Date.now()))) return next();
    const header = c.req.header("authorization");
    const basic = parseBasic(header);
    if (basic) {
      // Basic auth is a password guess like the sign-in form's: the same lockout counts both.
      const client = clientOf(c.req.raw.headers);
      const now = Date.now();
      const wait = await retryAfterSeconds(env, "login", client, now);
      if (wait > 0) {
        c.header("retry-after", String(wait));
        return c.text(`Too many failed sign-ins from this address; try again in ${wait} s.\n`, 429);
      }
      if (await checkCredentials(env, basic.user, basic.password)) return next();
      await countFailure(env, "login", client, now);
    }
    if (!header && c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html")) {
      return c.redirect(`${LOGIN_PATH}?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    c.header("www-authenticate", 'Basic realm="residue", charset="UTF-8"');
    return c.text("Sign in to residue: basic auth, or the sign-in page at /app/-/login.\n", 401);
  };
}
