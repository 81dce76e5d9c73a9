// Lockouts after repeated authentication failures, per client address. The state is in D1 so it holds
// across isolates and locally; Cloudflare's Rate Limiting binding would do the counting too, but it is
// per location and eventually consistent, and it does not exist in local workerd.
import { type LockoutPolicy, lockedUntil, recordFailure } from "../db/auth-failures.ts";
import type { Env } from "../env.ts";

export type AuthScope = "bearer" | "login";

const DEFAULT_LIMIT = 20;

export function lockoutPolicy(env: Env): LockoutPolicy {
  const limit = Number(env.AUTH_FAILURE_LIMIT);
  return {
    limit: Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_LIMIT,
    windowMs: 10 * 60_000,
    lockoutMs: 15 * 60_000,
  };
}

/** Expands an IPv6 address to its 8 groups, or null when it is not one. */
function ipv6Groups(address: string): string[] | null {
  const [head = "", tail, extra] = address.toLowerCase().split("::");
  if (extra !== undefined) return null;
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  const groups = [...left, ...Array<string>(missing).fill("0"), ...right];
  return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups.map((g) => g.replace(/^0+(?=.)/, "")) : null;
}

/**
 * The client as Cloudflare saw it (CF-Connecting-IP cannot be set by the client there). An IPv6 client
 * is its /64, because one host commonly owns a whole /64.
 */
export function clientOf(headers: Headers): string {
  const ip = (headers.get("cf-connecting-ip") ?? "").trim();
  if (!ip) return "unknown";
  const groups = ip.includes(":") ? ipv6Groups(ip) : null;
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : ip.slice(0, 64);
}

/** Seconds the client must wait before trying again; 0 when it may try now. */
export async function retryAfterSeconds(env: Env, scope: AuthScope, client: string, now: number): Promise<number> {
  const until = await lockedUntil(env.DB, scope, client, now);
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

export function countFailure(env: Env, scope: AuthScope, client: string, now: number) {
  return recordFailure(env.DB, scope, client, now, lockoutPolicy(env));
}
