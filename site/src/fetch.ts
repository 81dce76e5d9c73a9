// The Worker's request pipeline: the JSON API under /api, then basic auth on /app, then Astro's pages.

import { env } from "cloudflare:workers";
import { astro } from "astro/hono";
import { Hono, type MiddlewareHandler } from "hono";
import { createApi } from "../../api/src/app.ts";
import type { Env } from "../../api/src/env.ts";
import { adminAuth } from "./server/admin-auth.ts";

const getEnv = () => env as unknown as Env;

// Agent text is untrusted: even if something slipped past escaping, the browser runs no script but ours.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const app = new Hono();
app.route("/api", createApi(getEnv));
app.use("/app", adminAuth(getEnv));
app.use("/app/*", adminAuth(getEnv));
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("content-security-policy", CSP);
  c.res.headers.set("x-content-type-options", "nosniff");
  c.res.headers.set("referrer-policy", "no-referrer");
  c.res.headers.set("cache-control", "private, no-store");
};
app.use("/app", securityHeaders);
app.use("/app/*", securityHeaders);
app.get("/", (c) => c.redirect("/app"));
app.use(astro());
export default app;
