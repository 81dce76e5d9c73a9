// Signed session cookies for the UI, so a reader signs in once instead of answering basic auth on every
// visit. The key is derived from the admin password and the API token: changing either signs everyone out.
// Each cookie also names a row in ui_sessions, so signing out revokes that cookie for good.

import { constantTimeEqual } from "@residue/api/auth";
import { deleteUiSession, insertUiSession, uiSessionExists } from "@residue/api/db/ui-sessions";
import type { Env } from "@residue/api/env";
import { randomHex } from "@residue/api/random";

export const SESSION_COOKIE = "residue_session";
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
const encoder = new TextEncoder();

async function key(env: Env) {
  const secret = `residue-ui-session-v1\n${env.ADMIN_PASSWORD ?? ""}\n${env.AUTH_TOKEN ?? ""}`;
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

const b64url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

function fromB64url(s: string): Uint8Array<ArrayBuffer> | null {
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export async function checkCredentials(env: Env, user: string, password: string): Promise<boolean> {
  if (!env.ADMIN_USERNAME || !env.ADMIN_PASSWORD) return false;
  const [u, p] = await Promise.all([constantTimeEqual(user, env.ADMIN_USERNAME), constantTimeEqual(password, env.ADMIN_PASSWORD)]);
  return u && p;
}

/** The cookie value for session `id`: `<id>.<expires>.<signature>`, expiry in epoch seconds. */
export async function signSession(env: Env, id: string, expires: number): Promise<string> {
  const payload = `${id}.${expires}`;
  return `${payload}.${b64url(await crypto.subtle.sign("HMAC", await key(env), encoder.encode(payload)))}`;
}

/** The session id of a cookie signed with the current key and not expired; null otherwise. */
async function verifiedId(env: Env, value: string, now: number): Promise<string | null> {
  if (!env.ADMIN_PASSWORD) return null;
  const [id, expires, sig, extra] = value.split(".");
  if (!id || !expires || !sig || extra !== undefined) return null;
  if (!/^[0-9a-f]{32}$/.test(id) || !/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < now) return null;
  const bytes = fromB64url(sig);
  const valid = bytes !== null && (await crypto.subtle.verify("HMAC", await key(env), bytes, encoder.encode(`${id}.${expires}`)));
  return valid ? id : null;
}

export async function verifySession(env: Env, value: string, now: number): Promise<boolean> {
  const id = await verifiedId(env, value, now);
  return id !== null && uiSessionExists(env.DB, id, now);
}

/** Signs a browser in: a new session row and its cookie value. */
export async function startSession(env: Env, now: number): Promise<string> {
  const id = randomHex(16);
  const expires = Math.floor(now / 1000) + SESSION_TTL_SECONDS;
  await insertUiSession(env.DB, id, expires * 1000, now);
  return signSession(env, id, expires);
}

/** Signs a browser out: its cookie stops working even if it was copied elsewhere. */
export async function endSession(env: Env, value: string, now: number): Promise<void> {
  const id = await verifiedId(env, value, now);
  if (id) await deleteUiSession(env.DB, id);
}

export function parseBasic(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return null;
  try {
    const decoded = atob(match[1] as string);
    const at = decoded.indexOf(":");
    return at === -1 ? null : { user: decoded.slice(0, at), password: decoded.slice(at + 1) };
  } catch {
    return null;
  }
}

/** Only paths of this app are followed after signing in (no open redirect). */
export function safeNext(next: string | null): string {
  return next && /^\/app(\/|$|\?)/.test(next) && !next.startsWith("//") ? next : "/app";
}
