// One push of a session stored in segments, checked before anything of it is merged: it must follow the
// stored manifest (manifest-merge.ts), and its objects must hold what it says. The index object is checked
// by size and SHA-256 only: its pages are the CLI's mapping, read by views, never trusted to run anything.
import type { LayoutManifest, LayoutPush, SessionMeta } from "@residue/protocol";
import { layoutObjectKey } from "@residue/store";
import { type MergeOutcome, mergePush, pagesOutside } from "./manifest-merge.ts";
import { chunkMismatch } from "./verify-chunk.ts";

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function indexMismatch(bucket: R2Bucket, sessionId: string, push: LayoutPush): Promise<string | null> {
  const object = await bucket.get(layoutObjectKey(sessionId, { generation: push.generation, push: push.push, kind: "index" }));
  if (!object) {
    const needed = push.index.bytes > 0 || push.pages.some((p) => p.push === push.push);
    return needed ? `index i${push.push} was not uploaded` : null;
  }
  if (object.size !== push.index.bytes) {
    await object.body.cancel();
    return `index i${push.push} holds ${object.size} bytes, the push says ${push.index.bytes}`;
  }
  // Pages are at most MAX_PAGE_BYTES each and a push names a bounded number: the digest streams anyway.
  const digest = new (crypto as unknown as { DigestStream: typeof DigestStream }).DigestStream("SHA-256");
  await object.body.pipeTo(digest);
  const sha = hex(await digest.digest);
  return sha === push.index.sha256 ? null : `index i${push.push} has SHA-256 ${sha}, the push says ${push.index.sha256}`;
}

/** What merging this session's push would give, with its objects checked; the stored manifest is unchanged. */
export async function checkPush(
  bucket: R2Bucket,
  meta: SessionMeta & { layout: LayoutPush },
  stored: LayoutManifest | null,
): Promise<MergeOutcome> {
  const push = meta.layout;
  const outcome = mergePush(stored, push, meta.byte_size);
  if (outcome.kind !== "merged") return outcome;
  const mismatch = (message: string): MergeOutcome => ({
    kind: "mismatch",
    message: `push ${push.push} of generation ${push.generation}: ${message}`,
  });
  const outside = pagesOutside(push);
  if (outside) return mismatch(outside);
  if (push.chunk) {
    const key = layoutObjectKey(meta.id, { generation: push.generation, push: push.push, kind: "chunk" });
    const crcBefore = push.push === 0 ? 0 : (stored?.crc32 ?? 0);
    const chunk = await chunkMismatch(bucket, key, { chunk: push.chunk, crcBefore, crcAfter: push.crc32 });
    if (chunk) return mismatch(chunk);
  }
  const index = await indexMismatch(bucket, meta.id, push);
  return index ? mismatch(index) : outcome;
}
