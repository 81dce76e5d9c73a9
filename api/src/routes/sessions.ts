import { SESSION_DELETED, SessionId, SessionsUpload, UploadUrlRequest } from "@residue/protocol";
import { Hono } from "hono";
import { upsertCommit } from "../db/commits.ts";
import { touchRepo, upsertRepo } from "../db/repos.ts";
import { deletedSessionIds, existingSessionIds, upsertSession } from "../db/sessions.ts";
import { insertGrant } from "../db/upload-grants.ts";
import type { ApiEnv } from "../env.ts";
import { parseWith, readJson } from "../http/body.ts";
import { ApiError } from "../http/errors.ts";
import { outcomeError } from "../http/outcome.ts";
import { randomHex } from "../random.ts";
import { readSessionData, removeSession } from "../read/sessions.ts";
import { sessionDataType } from "../storage/data-type.ts";
import { sweepOrphans } from "../storage/orphans.ts";
import { peekGzip } from "../storage/session-data.ts";
import { createUploadUrl } from "../storage/upload-url.ts";
import { dataMismatches } from "../storage/verify-data.ts";

export const sessionRoutes = new Hono<ApiEnv>();

sessionRoutes.post("/upload-url", async (c) => {
  const { session_id } = await readJson(c, UploadUrlRequest, 4096);
  const env = c.get("env");
  if ((await deletedSessionIds(env.DB, [session_id])).size > 0) throw deletedError(session_id);
  const now = Date.now();
  await sweepOrphans(env, now);
  const nonce = randomHex(16);
  const { url, expiresAt } = await createUploadUrl(env, session_id, new URL(c.req.url).origin, now, nonce);
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

  const mismatches = await dataMismatches(c.get("env"), body.sessions);
  if (mismatches.length > 0) {
    throw new ApiError(
      422,
      "data_mismatch",
      `The uploaded data does not match its metadata; upload it again: ${mismatches.slice(0, 3).join("; ")}.`,
    );
  }

  const repoId = await upsertRepo(db, body.repo, now);
  const statements = [
    ...body.sessions.map((s) => upsertSession(db, repoId, s, now)),
    ...body.commits.flatMap((m) => upsertCommit(db, repoId, m)),
    touchRepo(db, repoId, now),
  ];
  await db.batch(statements);
  const links = body.commits.reduce((n, m) => n + m.sessions.length, 0);
  return c.json({ sessions: body.sessions.length, commits: body.commits.length, links, deleted: [...deleted] });
});

function deletedError(id: string) {
  return new ApiError(410, SESSION_DELETED, `Session ${id} was deleted on this server and stays deleted; the CLI forgets it on this push.`);
}

sessionRoutes.get("/:id", async (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  const env = c.get("env");
  const data = await readSessionData(env.DB, env.BUCKET, id);
  if (data.kind === "missing") throw outcomeError(data, `No session ${id}.`);
  const { session, object } = data;
  if (!object) throw new ApiError(404, "session_data_missing", `Session ${id} has metadata but its data was never uploaded.`);
  const headers = new Headers({
    "x-content-type-options": "nosniff",
    "content-disposition": `attachment; filename="${id}"`,
    etag: object.httpEtag,
    "x-residue-agent": session.agent,
  });
  const { gzip, stream } = await peekGzip(object.body);
  if (!gzip) {
    headers.set("content-type", sessionDataType(object.httpMetadata?.contentType));
    headers.set("content-length", String(object.size));
    return new Response(stream, { headers });
  }
  // The transcript as the agent wrote it (after redaction), never the storage format. Stored gzip goes out
  // as it is, as the HTTP encoding of the transcript: no byte is inflated or compressed here. `?plain=1`
  // is for a client that cannot take an encoding (local workerd always sees `Accept-Encoding: gzip`).
  headers.set("content-type", "text/plain; charset=utf-8");
  if (c.req.query("plain") !== undefined)
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
