import { CURRENT_RELEASE_KEY, RELEASE_FILES, ReleaseManifest, ReleaseVersion, releaseKey, SUMS_FILE } from "@residue/protocol/release";
import { type Context, Hono } from "hono";
import type { Env } from "../env.ts";
import { ApiError, onError } from "../http/errors.ts";
import { type Installer, renderInstaller } from "../release/installers.ts";

const NO_RELEASE_HINT =
  "This server has no CLI release uploaded: `npm run deploy` (or `npm run setup`) uploads the build of this server's version; `npm start` does so locally.";

/** What R2 holds as `releases/current.json`, or null; a damaged object is the operator's error, said so. */
async function currentRelease(env: Env): Promise<ReleaseManifest | null> {
  const object = await env.BUCKET.get(CURRENT_RELEASE_KEY);
  if (!object) return null;
  const parsed = ReleaseManifest.safeParse(await object.json().catch(() => undefined));
  if (!parsed.success)
    throw new ApiError(500, "bad_release", `${CURRENT_RELEASE_KEY} in the bucket is not a release manifest: re-upload the release.`);
  return parsed.data;
}

async function installer(c: Context, getEnv: () => Env, kind: Installer) {
  const release = await currentRelease(getEnv());
  const script = renderInstaller(kind, new URL(c.req.url).origin, release?.version ?? "");
  // Never cached: the script names the current release.
  return c.body(script, 200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
}

/**
 * The server hands out its own CLI, without sign-in: the install scripts, the current release's manifest
 * and its files from R2. Only the contract's file names under a valid version are looked up, so no path
 * reaches any other object. Mounted before the UI's sign-in gate; it has no middleware of its own, since
 * a sub-app's middleware would run for every path of the app it is mounted in.
 */
export function releaseRoutes(getEnv: () => Env) {
  const app = new Hono();
  app.onError(onError);

  app.get("/install.sh", (c) => installer(c, getEnv, "sh"));
  app.get("/install.ps1", (c) => installer(c, getEnv, "ps1"));

  app.get("/releases/current.json", async (c) => {
    const release = await currentRelease(getEnv());
    if (!release) throw new ApiError(404, "no_release", NO_RELEASE_HINT);
    return c.json(release, 200, { "cache-control": "no-cache" });
  });

  app.get("/releases/:version/:file", async (c) => {
    const version = c.req.param("version");
    const file = c.req.param("file");
    if (!ReleaseVersion.safeParse(version).success || !RELEASE_FILES.has(file)) {
      throw new ApiError(
        404,
        "release_file_not_found",
        `No release file ${version}/${file}: see /releases/current.json for what there is.`,
      );
    }
    // A version's files are rebuilt under the same name when the CLI changes without a version bump, so a
    // cache may keep them only while their ETag still holds: never a stale binary beside new sums.
    const object = await getEnv().BUCKET.get(releaseKey(version, file), { onlyIf: c.req.raw.headers });
    if (!object)
      throw new ApiError(404, "release_file_not_found", `Release ${version} has no ${file} on this server: see /releases/current.json.`);
    const headers = { etag: object.httpEtag, "cache-control": "no-cache" };
    if (!("body" in object)) return c.body(null, 304, headers);
    return c.body(object.body, 200, {
      ...headers,
      "content-type": file === SUMS_FILE ? "text/plain; charset=utf-8" : "application/octet-stream",
      "content-length": String(object.size),
    });
  });
  return app;
}
