// The Worker's request pipeline: the JSON API under /api, then the sign-in gate and security headers on
// /app, then Astro's pages.

import { astro } from "astro/hono";
import { Hono, type MiddlewareHandler } from "hono";
import { createApi } from "../../api/src/app.ts";
import { adminAuth } from "./server/admin-auth.ts";
import { getEnv } from "./server/env.ts";

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
const gate = adminAuth(getEnv);
app.use("/app", gate);
app.use("/app/*", gate);
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("content-security-policy", CSP);
  c.res.headers.set("x-content-type-options", "nosniff");
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, which
  // Astro's origin check rightly refuses.
  c.res.headers.set("referrer-policy", "same-origin");
  c.res.headers.set("cache-control", "private, no-store");
};
app.use("/app", securityHeaders);
app.use("/app/*", securityHeaders);
app.get("/", (c) => c.redirect("/app"));
app.use(astro());
export default app;
