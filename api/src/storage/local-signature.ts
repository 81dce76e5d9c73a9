// Signatures for the app's own upload URLs (local mode, no S3 credentials).
const encoder = new TextEncoder();

async function hmacKey(secret: string) {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

// The nonce names the URL's grant (upload_grants), which the upload route lets through once.
function payload(key: string, expiresAt: number, nonce: string) {
  return encoder.encode(`residue-upload-v2\nPUT\n${key}\n${expiresAt}\n${nonce}`);
}

function toHex(bytes: ArrayBuffer) {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function signUpload(secret: string, key: string, expiresAt: number, nonce: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", await hmacKey(secret), payload(key, expiresAt, nonce)));
}

export type UploadCheck = "ok" | "expired" | "invalid";

/** `crypto.subtle.verify` compares in constant time. */
export async function verifyUpload(
  secret: string,
  key: string,
  expiresAt: number,
  nonce: string,
  signature: string,
  now: number,
): Promise<UploadCheck> {
  if (!/^[0-9a-f]{64}$/.test(signature) || !Number.isSafeInteger(expiresAt)) return "invalid";
  const bytes = new Uint8Array(signature.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), bytes, payload(key, expiresAt, nonce));
  if (!valid) return "invalid";
  return expiresAt * 1000 < now ? "expired" : "ok";
}
