import type { LayoutObject } from "@residue/protocol";
import { layoutObjectKey, wholeObjectKey } from "@residue/store";
import { AwsClient } from "aws4fetch";
import type { Env } from "../env.ts";
import { signUpload } from "./local-signature.ts";
import { objectName } from "./object-name.ts";

export const DEFAULT_UPLOAD_TTL_SECONDS = 15 * 60;

export interface UploadUrl {
  url: string;
  expiresAt: Date;
}

interface S3Config {
  accessKeyId: string;
  secretAccessKey: string;
  endpoint: string;
  bucket: string;
}

export function s3Config(env: Env): S3Config | null {
  const { R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_ACCOUNT_ID, R2_BUCKET_NAME, R2_S3_ENDPOINT } = env;
  if (!R2_ACCESS_KEY_ID || !R2_SECRET_ACCESS_KEY || !R2_BUCKET_NAME || !(R2_ACCOUNT_ID || R2_S3_ENDPOINT)) return null;
  return {
    accessKeyId: R2_ACCESS_KEY_ID,
    secretAccessKey: R2_SECRET_ACCESS_KEY,
    bucket: R2_BUCKET_NAME,
    endpoint: (R2_S3_ENDPOINT || `https://${R2_ACCOUNT_ID}.r2.cloudflarestorage.com`).replace(/\/+$/, ""),
  };
}

export function uploadTtlSeconds(env: Env): number {
  const ttl = Number(env.UPLOAD_URL_TTL_SECONDS);
  return Number.isInteger(ttl) && ttl > 0 && ttl <= 7 * 24 * 3600 ? ttl : DEFAULT_UPLOAD_TTL_SECONDS;
}

/** The R2 key an upload URL is for: the session's whole object, or one object of a push in segments. */
export const uploadKey = (sessionId: string, object?: LayoutObject) =>
  object ? layoutObjectKey(sessionId, object) : wholeObjectKey(sessionId);

/**
 * A PUT URL for exactly one session object: presigned for R2's S3 API, or signed for the app's own upload
 * route, which accepts it once: `nonce` names its grant (upload_grants).
 */
export async function createUploadUrl(
  env: Env,
  sessionId: string,
  object: LayoutObject | undefined,
  origin: string,
  now: number,
  nonce: string,
): Promise<UploadUrl> {
  const ttl = uploadTtlSeconds(env);
  const key = uploadKey(sessionId, object);
  const expires = Math.floor(now / 1000) + ttl;
  const s3 = s3Config(env);
  if (s3) {
    const client = new AwsClient({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, service: "s3", region: "auto" });
    const target = `${s3.endpoint}/${s3.bucket}/${key}?X-Amz-Expires=${ttl}`;
    const signed = await client.sign(new Request(target, { method: "PUT" }), { aws: { signQuery: true, datetime: isoBasic(now) } });
    return { url: signed.url, expiresAt: new Date(now + ttl * 1000) };
  }
  const secret = env.AUTH_TOKEN;
  if (!secret) throw new Error("AUTH_TOKEN is required to sign local upload URLs");
  const signature = await signUpload(secret, key, expires, nonce);
  const url = new URL(`/api/uploads/${sessionId}${object ? `/${object.generation}/${objectName(object)}` : ""}`, origin);
  url.searchParams.set("expires", String(expires));
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("signature", signature);
  return { url: url.toString(), expiresAt: new Date(expires * 1000) };
}

function isoBasic(ms: number) {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, "");
}
