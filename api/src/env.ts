/** Bindings and secrets of the Worker. Secret names are the seed's. */
export interface Env {
  DB: D1Database;
  BUCKET: R2Bucket;
  AUTH_TOKEN?: string;
  ADMIN_USERNAME?: string;
  ADMIN_PASSWORD?: string;
  /** With all four R2_* set, upload URLs are presigned for R2's S3 endpoint; otherwise the app takes uploads itself. */
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_ACCOUNT_ID?: string;
  R2_BUCKET_NAME?: string;
  /** Overrides `https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com` (any S3-compatible endpoint). */
  R2_S3_ENDPOINT?: string;
  UPLOAD_URL_TTL_SECONDS?: string;
  /** Failed sign-ins or bearer tokens from one client within 10 minutes before a 15-minute lockout (default 20). */
  AUTH_FAILURE_LIMIT?: string;
  /** How long an uploaded object may wait for its session's metadata before it is deleted (default 1 day). */
  UPLOAD_ORPHAN_GRACE_SECONDS?: string;
}

export type ApiEnv = { Variables: { env: Env } };
