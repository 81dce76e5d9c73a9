// The app's routes as the routers know them, so suites iterate the real route tables instead of a copy:
// the API's and the public downloads' as Hono registered them, the UI's as Astro derives them from its
// pages folder.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { createApi } from "@residue/api";
import { releaseRoutes } from "@residue/api/releases";
import { ROOT } from "../../api/local/server.ts";

export interface ApiRoute {
  method: string;
  /** Hono's path template (under /api for the API's), e.g. "/sessions/:id" or "/repos/:path{.+}". */
  path: string;
}

const listingOnly = () => {
  throw new Error("route listing only: no request is handled");
};

/** A Hono app's concrete routes (middleware and the catch-all are registered as ALL and are not routes). */
function routesOf(app: { routes: { method: string; path: string }[] }): ApiRoute[] {
  const routes = app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, path: r.path }));
  return [...new Map(routes.map((r) => [`${r.method} ${r.path}`, r])).values()];
}

/** Every route of the JSON API, under /api. */
export const apiRoutes = (): ApiRoute[] => routesOf(createApi(listingOnly));

/** Every public download route (install scripts, release files), at the site's root. */
export const releaseRouteTable = (): ApiRoute[] => routesOf(releaseRoutes(listingOnly));

export interface PathParam {
  name: string;
  /** The param matches several segments ({.+}). */
  multi: boolean;
}

/** The template's segments: literal text or a param. */
export function templateSegments(path: string): (string | PathParam)[] {
  return path
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      const param = /^:(\w+)(\{(.+)\})?$/.exec(segment);
      return param ? { name: param[1] as string, multi: param[3] === ".+" } : segment;
    });
}

/** Every page file under site/src/pages, relative to it (`app/-/session/[id].astro`): Astro's route table. */
export function pageFiles(): string[] {
  const pages = join(ROOT, "site/src/pages");
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return walk(pages).map((f) => relative(pages, f));
}
