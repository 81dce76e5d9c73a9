import type { ErrorBody } from "@residue/protocol";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error the client caused or must know about; becomes `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string) {
  return c.json({ error: { code, message } } satisfies ErrorBody, status);
}

export function onError(err: Error, c: Context) {
  if (err instanceof ApiError) return errorResponse(c, err.status, err.code, err.message);
  console.error("unhandled error", err);
  return errorResponse(c, 500, "internal", "The server failed to handle this request; it has been logged.");
}

export function notFound(c: Context) {
  return errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
}
