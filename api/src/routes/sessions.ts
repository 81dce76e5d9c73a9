import {
  LAYOUT_CONFLICT,
  type LayoutManifest,
  type LayoutPush,
  SEGMENTS_LAYOUT,
  SESSION_DELETED,
  SessionId,
  type SessionMeta,
  SessionsUpload,
  UploadUrlRequest,
} from "@residue/protocol";
import { gzipLength, layoutObjectKey, wholeObjectKey } from "@residue/store";
import { Hono } from "hono";
import { upsertCommit } from "../db/commits.ts";
import { touchRepo, upsertRepo } from "../db/repos.ts";
import {
  deletedSessionIds,
  existingSessionIds,
  getSession,
  isLayoutGuardFailure,
  layoutGuard,
  storedVersions,
  storeManifest,
  upsertSession,
} from "../db/sessions.ts";
import { insertGrant } from "../db/upload-grants.ts";
import type { ApiEnv, Env } from "../env.ts";
import { acceptsGzip, clientAcceptEncoding } from "../http/accept-encoding.ts";
import { parseWith, readJson } from "../http/body.ts";
import { ApiError } from "../http/errors.ts";
import { outcomeError } from "../http/outcome.ts";
import { parseRange } from "../http/range.ts";
import { randomHex } from "../random.ts";
import { readSessionData, removeSession } from "../read/sessions.ts";
import { sessionDataType } from "../storage/data-type.ts";
import type { MergeOutcome } from "../storage/manifest-merge.ts";
import { parseObjectName } from "../storage/object-name.ts";
import { sweepOrphans } from "../storage/orphans.ts";
import { firstChunk, MissingChunkError, plainDownload, writeGzip } from "../storage/segments-download.ts";
import { peekGzip } from "../storage/session-data.ts";
import { deleteLayoutObjects } from "../storage/session-objects.ts";
import { createUploadUrl } from "../storage/upload-url.ts";
import { dataMismatches } from "../storage/verify-data.ts";
import { checkPush } from "../storage/verify-layout.ts";

export const sessionRoutes = new Hono<ApiEnv>();

sessionRoutes.post("/upload-url", async (c) => {
  const { session_id, object } = await readJson(c, UploadUrlRequest, 4096);
  const env = c.get("env");
  if ((await deletedSessionIds(env.DB, [session_id])).size > 0) throw deletedError(session_id);
  const now = Date.now();
  await sweepOrphans(env, now);
  const nonce = randomHex(16);
  const { url, expiresAt } = await createUploadUrl(env, session_id, object, new URL(c.req.url).origin, now, nonce);
  // Every URL is recorded, presigned ones too: the sweep finds orphans by their grants.
  await insertGrant(env.DB, nonce, session_id, expiresAt.getTime());
  return c.json({ url, expires_at: expiresAt.toISOString() });
});

sessionRoutes.post("/", async (c) => {
  const upload = await readJson(c, SessionsUpload);
  const db = c.get("env").DB;
  const now = Date.now();
  // Sessions someone deleted are left out with their links, and named in the answer so the CLI forgets them;
  // the rest of the push goes on (a commit whose only session was deleted is stored without it).
  const deleted = await deletedSessionIds(db, [
    ...new Set([...upload.sessions.map((s) => s.id), ...upload.commits.flatMap((m) => m.sessions.map((l) => l.session_id))]),
  ]);
  const body = {
    ...upload,
    sessions: upload.sessions.filter((s) => !deleted.has(s.id)),
    commits: upload.commits.map((m) => ({ ...m, sessions: m.sessions.filter((l) => !deleted.has(l.session_id)) })),
  };

  const inBatch = new Set(body.sessions.map((s) => s.id));
  const referenced = [...new Set(body.commits.flatMap((m) => m.sessions.map((l) => l.session_id)))];
  const known = await existingSessionIds(
    db,
    referenced.filter((id) => !inBatch.has(id)),
  );
  const unknown = referenced.filter((id) => !inBatch.has(id) && !known.has(id));
  if (unknown.length > 0) {
    throw new ApiError(
      422,
      "unknown_session",
      `Commit mappings name sessions that were never uploaded: ${unknown.slice(0, 5).join(", ")}.`,
    );
  }

  const env = c.get("env");
  const mismatches = await dataMismatches(
    env,
    body.sessions.filter((s) => !s.layout),
  );
  const pushes = await checkPushes(env, body.sessions);
  const wholeAgain = await storedWholeAgain(env.DB, body.sessions);
  // Every refused session is named, so the CLI takes them all again in one retry.
  const conflicts = pushes.filter((p) => p.outcome.kind === LAYOUT_CONFLICT);
  if (conflicts.length > 0) throw layoutConflict(conflicts.map((p) => `session ${p.meta.id}: ${messageOf(p.outcome)}`).join("; "));
  mismatches.push(...pushes.flatMap((p) => (p.outcome.kind === "mismatch" ? [`session ${p.meta.id}: ${p.outcome.message}`] : [])));
  if (mismatches.length > 0) {
    throw new ApiError(
      422,
      "data_mismatch",
      `The uploaded data does not match its metadata; upload it again: ${mismatches.slice(0, 3).join("; ")}.`,
    );
  }

  const merged = pushes.flatMap((p) => (p.outcome.kind === "merged" ? [{ ...p, outcome: p.outcome }] : []));
  const repoId = await upsertRepo(db, body.repo, now);
  const statements = [
    // First in the batch (one transaction): a push that lost a race rolls everything back.
    ...merged.map((p) => layoutGuard(db, p.meta.id, p.stored)),
    ...body.sessions.map((s) => upsertSession(db, repoId, s, now)),
    ...merged.map((p) => storeManifest(db, p.meta.id, p.outcome.manifest)),
    ...body.commits.flatMap((m) => upsertCommit(db, repoId, m)),
    touchRepo(db, repoId, now),
  ];
  try {
    await db.batch(statements);
  } catch (error) {
    if (isLayoutGuardFailure(error)) throw layoutConflict("another push of the same session was stored meanwhile");
    throw error;
  }
  // What the stored layouts no longer name: an earlier generation or the whole object a push in segments
  // replaced, and the segments of a session an older CLI uploaded whole again.
  for (const p of merged) {
    if (!p.stored) await env.BUCKET.delete(wholeObjectKey(p.meta.id));
    if (p.outcome.replaced) await deleteLayoutObjects(env.BUCKET, p.meta.id, p.outcome.manifest.generation);
  }
  for (const id of wholeAgain) await deleteLayoutObjects(env.BUCKET, id);
  const links = body.commits.reduce((n, m) => n + m.sessions.length, 0);
  const stored = pushes.flatMap(({ meta, outcome }) =>
    outcome.kind === "merged" || outcome.kind === "replay" ? [{ id: meta.id, ...pick(outcome.manifest) }] : [],
  );
  return c.json({ sessions: body.sessions.length, commits: body.commits.length, links, deleted: [...deleted], stored });
});

const pick = ({ generation, pushes, raw_size, crc32 }: LayoutManifest) => ({ generation, pushes, raw_size, crc32 });
const messageOf = (outcome: MergeOutcome) => ("message" in outcome ? outcome.message : "");

/**
 * Each session pushed in segments, checked against what is stored: one at a time, since each inflates its
 * new chunk and a Worker's memory is shared by its requests.
 */
async function checkPushes(env: Env, sessions: SessionMeta[]) {
  const withLayout = sessions.filter((s): s is SessionMeta & { layout: LayoutPush } => s.layout !== undefined);
  const versions = await storedVersions(
    env.DB,
    withLayout.map((s) => s.id),
  );
  const checked: { meta: SessionMeta; stored: LayoutManifest | null; outcome: MergeOutcome }[] = [];
  for (const meta of withLayout) {
    const layout = versions.get(meta.id)?.layout;
    const stored = layout?.kind === "segments" ? layout.manifest : null;
    checked.push({ meta, stored, outcome: await checkPush(env.BUCKET, meta, stored) });
  }
  return checked;
}

/** Sessions stored in segments that this post stores whole again (new data from an older CLI). */
async function storedWholeAgain(db: D1Database, sessions: SessionMeta[]): Promise<string[]> {
  const whole = sessions.filter((s) => !s.layout);
  const versions = await storedVersions(
    db,
    whole.map((s) => s.id),
  );
  return whole
    .filter((s) => {
      const stored = versions.get(s.id);
      return stored?.layout.kind === "segments" && stored.content_hash !== s.content_hash && s.data_updated_at >= stored.data_updated_at;
    })
    .map((s) => s.id);
}

function layoutConflict(message: string) {
  return new ApiError(409, LAYOUT_CONFLICT, `This push no longer follows what the server holds: ${message}. Push again.`);
}

function deletedError(id: string) {
  return new ApiError(410, SESSION_DELETED, `Session ${id} was deleted on this server and stays deleted; the CLI forgets it on this push.`);
}

sessionRoutes.get("/:id", async (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  const env = c.get("env");
  const data = await readSessionData(env.DB, env.BUCKET, id);
  if (data.kind === "missing") throw outcomeError(data, `No session ${id}.`);
  const { session, object } = data;
  const headers = new Headers({
    "x-content-type-options": "nosniff",
    "content-disposition": `attachment; filename="${id}"`,
    "x-residue-agent": session.agent,
  });
  if (session.layout.kind === "damaged") throw damagedLayout(id);
  // The transcript as the agent wrote it (after redaction), never the storage format: gzip-encoded for a
  // client that takes gzip, plain for one that does not or that asks with `?plain=1`.
  const plain = c.req.query("plain") !== undefined || !acceptsGzip(clientAcceptEncoding(c.req.raw));
  headers.set("vary", "accept-encoding");
  if (session.layout.kind === "segments") return segmentsResponse(env.BUCKET, id, session.layout.manifest, headers, plain);
  if (!object) throw new ApiError(404, "session_data_missing", `Session ${id} has metadata but its data was never uploaded.`);
  headers.set("etag", object.httpEtag);
  const { gzip, stream } = await peekGzip(object.body);
  if (!gzip) {
    headers.set("content-type", sessionDataType(object.httpMetadata?.contentType));
    headers.set("content-length", String(object.size));
    return new Response(stream, { headers });
  }
  // Stored gzip goes out as it is, as the HTTP encoding of the transcript: no byte is inflated here.
  headers.set("content-type", "text/plain; charset=utf-8");
  if (plain)
    return new Response(stream.pipeThrough(new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>), { headers });
  headers.set("content-encoding", "gzip");
  headers.set("content-length", String(object.size));
  return new Response(stream, { headers, encodeBody: "manual" });
});

sessionRoutes.delete("/:id", async (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  const env = c.get("env");
  const removed = await removeSession(env.DB, env.BUCKET, id, Date.now());
  if (removed.kind === "missing") throw new ApiError(404, "session_not_found", `No session ${id}.`);
  return c.json({ deleted: id });
});

function damagedLayout(id: string) {
  return new ApiError(500, "session_layout_damaged", `Session ${id}'s stored layout does not read as a manifest; push it again.`);
}

/**
 * The transcript of a session stored in segments: one gzip member passed through, or `?plain=1` inflated as
 * it is read. Both lengths are known, so a body cut short by a chunk gone bad is told from a whole one; the
 * first chunk is opened before answering, so a session whose data is gone gets an error status.
 */
async function segmentsResponse(bucket: R2Bucket, id: string, manifest: LayoutManifest, headers: Headers, plain: boolean) {
  headers.set("content-type", "text/plain; charset=utf-8");
  headers.set("etag", `"${manifest.generation}-${manifest.pushes}-${manifest.crc32}"`);
  let first: ReadableStream<Uint8Array> | null;
  try {
    first = await firstChunk(bucket, id, manifest);
  } catch (error) {
    if (error instanceof MissingChunkError) throw new ApiError(500, "session_data_missing", `${error.message}; push the session again.`);
    throw error;
  }
  if (plain) {
    const sized = new FixedLengthStream(manifest.raw_size);
    plainDownload(bucket, id, manifest, first)
      .pipeTo(sized.writable)
      .catch(() => undefined);
    return new Response(sized.readable, { headers });
  }
  const sized = new FixedLengthStream(gzipLength(manifest.chunks.reduce((n, chunk) => n + chunk.bytes, 0)));
  void writeGzip(bucket, id, manifest, first, sized.writable);
  headers.set("content-encoding", "gzip");
  return new Response(sized.readable, { headers, encodeBody: "manual" });
}

/** Which layout a session is stored in, and its manifest: what the CLI's range reader starts from. */
sessionRoutes.get("/:id/layout", async (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  const session = await getSession(c.get("env").DB, id);
  if (!session) throw new ApiError(404, "session_not_found", `No session ${id}.`);
  if (session.layout.kind === "damaged") throw damagedLayout(id);
  const segments = session.layout.kind === "segments";
  return c.json({
    id,
    agent: session.agent,
    layout: segments ? SEGMENTS_LAYOUT : "gzip-v1",
    manifest: session.layout.kind === "segments" ? session.layout.manifest : null,
  });
});

/** Bytes of one object the session's manifest names (chunk or index), by Range: the CLI's RangeSource. */
sessionRoutes.get("/:id/objects/:generation/:name", async (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  const env = c.get("env");
  const object = parseObjectName(c.req.param("generation"), c.req.param("name"));
  const session = await getSession(env.DB, id);
  if (!session) throw new ApiError(404, "session_not_found", `No session ${id}.`);
  const manifest = session.layout.kind === "segments" ? session.layout.manifest : null;
  const named =
    object &&
    manifest &&
    object.generation === manifest.generation &&
    (object.kind === "chunk" ? manifest.chunks.some((chunk) => chunk.push === object.push) : object.push < manifest.pushes);
  if (!object || !named)
    throw new ApiError(
      404,
      "object_not_found",
      `Session ${id}'s manifest names no object ${c.req.param("generation")}/${c.req.param("name")}.`,
    );
  const range = parseRange(c.req.header("range"));
  if (range === "invalid")
    throw new ApiError(416, "invalid_range", "Ask for one range as `Range: bytes=<first>-<last>` (or `bytes=<first>-`).");
  const key = layoutObjectKey(id, object);
  const size = (await env.BUCKET.head(key))?.size;
  if (size === undefined)
    throw new ApiError(
      500,
      "session_data_missing",
      `Object ${object.generation}/${c.req.param("name")} of session ${id} is missing from storage.`,
    );
  const headers = new Headers({
    "content-type": "application/octet-stream",
    "x-content-type-options": "nosniff",
    "accept-ranges": "bytes",
  });
  if (range && range.offset >= size) {
    headers.set("content-range", `bytes */${size}`);
    return c.json(
      { error: { code: "range_not_satisfiable", message: `The object holds ${size} bytes; the range starts at ${range.offset}.` } },
      416,
      Object.fromEntries(headers),
    );
  }
  const served = range ? { offset: range.offset, length: Math.min(range.length, size - range.offset) } : { offset: 0, length: size };
  const body = served.length === 0 ? null : await env.BUCKET.get(key, { range: served });
  if (served.length > 0 && !body) throw new ApiError(500, "session_data_missing", `Object ${key} vanished while being read.`);
  headers.set("content-length", String(served.length));
  if (!range) return new Response(body?.body ?? null, { status: 200, headers });
  headers.set("content-range", `bytes ${served.offset}-${served.offset + served.length - 1}/${size}`);
  return new Response(body?.body ?? null, { status: 206, headers });
});
