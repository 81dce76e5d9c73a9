// The API's routes as Hono registered them, so suites iterate the real route table instead of a copy.
import { createApi } from "../../api/src/app.ts";

export interface ApiRoute {
  method: string;
  /** Hono's path template under /api, e.g. "/sessions/:id" or "/repos/:path{.+}". */
  path: string;
}

/** Every concrete route (middleware and the catch-all are registered as ALL and are not routes). */
export function apiRoutes(): ApiRoute[] {
  const app = createApi(() => {
    throw new Error("route listing only: no request is handled");
  });
  const routes = app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, path: r.path }));
  return [...new Map(routes.map((r) => [`${r.method} ${r.path}`, r])).values()];
}

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
