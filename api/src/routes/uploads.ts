import { SessionId } from "@residue/protocol";
import { type Context, Hono } from "hono";
import { useGrant } from "../db/upload-grants.ts";
import type { ApiEnv } from "../env.ts";
import { parseWith } from "../http/body.ts";
import { ApiError } from "../http/errors.ts";
import { sessionDataType } from "../storage/data-type.ts";
import { verifyUpload } from "../storage/local-signature.ts";
import { parseObjectName } from "../storage/object-name.ts";
import { uploadKey } from "../storage/upload-url.ts";

export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

/** Local mode's stand-in for a presigned R2 URL: the signature, not a bearer token, authorizes the PUT. */
export const uploadRoutes = new Hono<ApiEnv>();

uploadRoutes.put("/:id", (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  return upload(c, id, uploadKey(id));
});

/** One object of a push in segments (storage/object-name.ts); the signature covers its exact key. */
uploadRoutes.put("/:id/:generation/:name", (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  const object = parseObjectName(c.req.param("generation"), c.req.param("name"));
  if (!object) throw new ApiError(404, "invalid_object", "No such layout object: the path ends /<generation>/c<push> or /i<push>.");
  return upload(c, id, uploadKey(id, object));
});

async function upload(c: Context<ApiEnv>, id: string, key: string) {
  const env = c.get("env");
  const expires = Number(c.req.query("expires"));
  const nonce = c.req.query("nonce") ?? "";
  const signature = c.req.query("signature") ?? "";
  if (!env.AUTH_TOKEN) throw new ApiError(503, "not_configured", "AUTH_TOKEN is not set on the server.");
  const now = Date.now();
  const check = await verifyUpload(env.AUTH_TOKEN, key, expires, nonce, signature, now);
  if (check === "expired") throw new ApiError(403, "upload_url_expired", "This upload URL has expired; request a new one.");
  if (check === "invalid") throw new ApiError(403, "invalid_signature", "This upload URL's signature is not valid for this session.");

  const length = c.req.header("content-length");
  if (length === undefined || !/^\d+$/.test(length)) {
    throw new ApiError(411, "length_required", "Send a Content-Length header with the upload.");
  }
  if (Number(length) > MAX_UPLOAD_BYTES) throw new ApiError(413, "payload_too_large", `Uploads are limited to ${MAX_UPLOAD_BYTES} bytes.`);
  // Checked last, so a request refused above does not use the URL up.
  if (!(await useGrant(env.DB, nonce, id, now)))
    throw new ApiError(403, "upload_url_used", "This upload URL has already been used; request a new one.");
  const body = c.req.raw.body ?? new Uint8Array();
  const object = await env.BUCKET.put(key, body, {
    httpMetadata: { contentType: sessionDataType(c.req.header("content-type")) },
  });
  return c.json({ key, size: object?.size ?? 0, etag: object?.httpEtag ?? null });
}
