import type { MiddlewareHandler } from "hono";

// Agent text is untrusted: even if something slipped past escaping, the browser runs no script but ours.
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * On every response the Worker makes (pages, redirects, 401s, errors, API JSON, raw session data), not
 * only on pages that rendered: a header that only successful pages carry protects nothing an attacker
 * can steer to an error.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  // Responses from fetch() or the assets binding may have immutable headers.
  if (isImmutable(c.res)) c.res = new Response(c.res.body, c.res);
  const headers = c.res.headers;
  headers.set("content-security-policy", CSP);
  headers.set("x-content-type-options", "nosniff");
  headers.set("x-frame-options", "DENY");
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, which
  // Astro's origin check rightly refuses.
  headers.set("referrer-policy", "same-origin");
  if (!headers.has("cache-control")) headers.set("cache-control", "private, no-store");
};

function isImmutable(res: Response): boolean {
  try {
    res.headers.set("x-content-type-options", "nosniff");
    return false;
  } catch {
    return true;
  }
}
