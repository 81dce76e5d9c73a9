// The Worker's request pipeline: the JSON API under /api, then basic auth on /app, then Astro's pages.

import { env } from "cloudflare:workers";
import { astro } from "astro/hono";
import { Hono } from "hono";
import { createApi } from "../../api/src/app.ts";
import type { Env } from "../../api/src/env.ts";
import { adminAuth } from "./server/admin-auth.ts";

const getEnv = () => env as unknown as Env;

const app = new Hono();
app.route("/api", createApi(getEnv));
app.use("/app", adminAuth(getEnv));
app.use("/app/*", adminAuth(getEnv));
app.get("/", (c) => c.redirect("/app"));
app.use(astro());
export default app;
