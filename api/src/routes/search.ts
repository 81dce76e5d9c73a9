import { SearchDocumentsUpload, SessionId } from "@residue/protocol";
import { Hono } from "hono";
import { indexSession } from "../db/search.ts";
import { sessionRepoId } from "../db/sessions.ts";
import type { ApiEnv } from "../env.ts";
import { parseWith, readJson } from "../http/body.ts";
import { ApiError } from "../http/errors.ts";
import { outcomeError } from "../http/outcome.ts";
import { readSearch } from "../read/search.ts";

export const searchRoutes = new Hono<ApiEnv>();
export const sessionSearchRoutes = new Hono<ApiEnv>();

/** A session's searchable text, replacing what was indexed before. */
sessionSearchRoutes.put("/:id/search", async (c) => {
  const id = parseWith(SessionId, c.req.param("id"), "invalid_session_id");
  const db = c.get("env").DB;
  const repoId = await sessionRepoId(db, id);
  if (repoId === null) throw new ApiError(404, "session_not_found", `No session ${id}: post its metadata first.`);
  const { docs } = await readJson(c, SearchDocumentsUpload, 32 * 1024 * 1024);
  await indexSession(db, repoId, id, docs);
  return c.json({ indexed: docs.length });
});

searchRoutes.get("/", async (c) => {
  const found = await readSearch(c.get("env").DB, c.req.query());
  if (found.kind !== "found") throw outcomeError(found, found.message);
  return c.json({ hits: found.hits, next_cursor: found.next_cursor });
});
