// The Worker's request pipeline. Deny by default: a path must be canonical, then it is either the JSON
// API (bearer auth of its own), the CLI's downloads, one of the few public pages, or behind the sign-in gate.

import { createApi } from "@residue/api";
import { errorResponse } from "@residue/api/errors";
import { releaseRoutes } from "@residue/api/releases";
import { astro } from "astro/hono";
import { Hono } from "hono";
import { adminAuth } from "./server/admin-auth.ts";
import { isCanonicalPath } from "./server/canonical-path.ts";
import { getEnv } from "./server/env.ts";
import { securityHeaders } from "./server/security-headers.ts";

const app = new Hono();
app.use(securityHeaders);
app.use(async (c, next) => {
  const path = new URL(c.req.url).pathname;
  if (isCanonicalPath(path)) return next();
  const message = "Not found: this path is not in canonical form (doubled or encoded slashes, needless escapes).";
  return path.startsWith("/api/") ? errorResponse(c, 404, "not_found", message) : c.text(`${message}\n`, 404);
});
app.route("/api", createApi(getEnv));
app.get("/", (c) => c.redirect("/app"));
// Public: the server hands out its own CLI (install scripts, release files).
app.route("/", releaseRoutes(getEnv));
app.use(adminAuth(getEnv));
app.use(astro());
export default app;
