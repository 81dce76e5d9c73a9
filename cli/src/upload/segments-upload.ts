// A session kept in segments goes up as the objects of its push: the chunk (a byte range of the snapshot)
// and the index pages, each to its own upload URL; the metadata post then names the push (`layout`), and
// the server's `stored` answer says whether it now holds it.
import { dirname, join } from "node:path";
import type { SearchDocument, SessionsUploadResponse } from "@residue/protocol";
import type { z } from "zod";
import { readDocuments } from "../queue/segments.ts";
import type { Snapshot } from "../queue/snapshot.ts";
import { type ApiClient, type PutOptions, putFile } from "./api-client.ts";

/** Bytes this snapshot's push sends: what progress counts (the whole transcript for a one-object upload). */
export function bytesToSend(snapshot: Snapshot): number {
  const push = snapshot.meta.segments?.push;
  if (!push) return snapshot.meta.byte_size;
  return push.confirmed ? 0 : (push.chunk?.length ?? 0) + push.layout.index.bytes;
}

/** PUTs the push's chunk and index; nothing when the server confirmed holding it already. */
export async function sendSegments(api: ApiClient, sessionId: string, snapshot: Snapshot, opts: PutOptions) {
  const segments = snapshot.meta.segments;
  if (!segments || segments.push.confirmed) return;
  const { layout, chunk, index } = segments.push;
  const object = { generation: layout.generation, push: layout.push };
  const sentBefore = chunk?.length ?? 0;
  if (chunk) {
    const { url } = await api.uploadUrl(sessionId, { ...object, kind: "chunk" });
    await putFile(url, snapshot.gzipPath, "application/octet-stream", { ...opts, range: chunk });
  }
  const { url } = await api.uploadUrl(sessionId, { ...object, kind: "index" });
  await putFile(url, join(dirname(snapshot.gzipPath), index), "application/json", {
    ...opts,
    onProgress: (sent) => opts.onProgress?.(sentBefore + sent),
  });
}

/** What the metadata post's answer says the server holds of each session in segments. */
export type StoredSessions = z.infer<typeof SessionsUploadResponse>["stored"];

/** Whether the server's answer says it holds exactly what this snapshot's push makes. */
export function confirms(stored: StoredSessions, sessionId: string, snapshot: Snapshot): boolean {
  const next = snapshot.meta.segments?.push.next;
  const held = stored.find((s) => s.id === sessionId);
  return (
    next !== undefined &&
    held !== undefined &&
    held.generation === next.generation &&
    held.pushes === next.pushes &&
    held.raw_size === next.raw_size &&
    held.crc32 === next.crc32
  );
}

/** The session's search documents, as the snapshot's writer mapped them window by window. */
export async function segmentsDocuments(snapshot: Snapshot): Promise<SearchDocument[]> {
  const docs: SearchDocument[] = [];
  const file = snapshot.meta.segments?.documents;
  if (file) for await (const doc of readDocuments(join(dirname(snapshot.gzipPath), file))) docs.push(doc);
  return docs;
}
