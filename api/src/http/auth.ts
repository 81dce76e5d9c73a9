import type { MiddlewareHandler } from "hono";
import type { ApiEnv } from "../env.ts";
import { ApiError } from "./errors.ts";
import { clientOf, countFailure, retryAfterSeconds } from "./rate-limit.ts";

const encoder = new TextEncoder();

/** Compares digests so the time taken says nothing about how much of the secret matched. */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export function bearerAuth(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const expected = c.get("env").AUTH_TOKEN;
    if (!expected) throw new ApiError(503, "not_configured", "AUTH_TOKEN is not set on the server.");
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) {
      c.header("WWW-Authenticate", 'Bearer realm="residue"');
      throw new ApiError(401, "unauthorized", "Send 'Authorization: Bearer <token>' (see `residue login`).");
    }
    const env = c.get("env");
    const client = clientOf(c.req.raw.headers);
    const now = Date.now();
    const wait = await retryAfterSeconds(env, "bearer", client, now);
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      throw new ApiError(429, "too_many_failures", `Too many wrong tokens from this address; try again in ${wait} s.`);
    }
    if (!(await constantTimeEqual(match[1] ?? "", expected))) {
      await countFailure(env, "bearer", client, now);
      c.header("WWW-Authenticate", 'Bearer realm="residue", error="invalid_token"');
      throw new ApiError(401, "invalid_token", "The bearer token is not valid for this server.");
    }
    await next();
  };
}
