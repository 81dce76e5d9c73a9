import { Hono } from "hono";
import type { ApiEnv, Env } from "./env.ts";
import { bearerAuth } from "./http/auth.ts";
import { notFound, onError } from "./http/errors.ts";
import { SERVER_VERSION, serverVersion } from "./http/version.ts";
import { orgRoutes, repoRoutes } from "./routes/repos.ts";
import { searchRoutes, sessionSearchRoutes } from "./routes/search.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { uploadRoutes } from "./routes/uploads.ts";

export const API_VERSION = 1;

/**
 * The JSON API, mounted under /api. Bindings come from `getEnv` because inside Astro's pipeline
 * Hono's `c.env` is empty (bindings live in `cloudflare:workers`).
 */
export function createApi(getEnv: () => Env) {
  const app = new Hono<ApiEnv>();
  app.onError(onError);
  app.notFound(notFound);
  app.use(serverVersion());
  app.use(async (c, next) => {
    c.set("env", getEnv());
    await next();
  });

  app.get("/health", (c) => c.json({ ok: true, service: "residue", api_version: API_VERSION, version: SERVER_VERSION }));
  app.route("/uploads", uploadRoutes);

  app.use(bearerAuth());
  app.get("/auth/check", (c) => c.json({ ok: true }));
  app.route("/sessions", sessionRoutes);
  app.route("/sessions", sessionSearchRoutes);
  app.route("/search", searchRoutes);
  app.route("/repos", repoRoutes);
  app.route("/orgs", orgRoutes);
  // Sub-apps' notFound handlers are not consulted when mounted, so the JSON 404 is a route of its own.
  app.all("*", notFound);
  return app;
}
