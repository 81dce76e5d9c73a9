// Which of a session's commits a commit continues from, and which continues it: git's order where the
// parents are known, the conversation's order (transcript position, then time) only where they are not.
// Commit times say nothing reliable: rebases, clock skew and amends reorder them.
import type { SessionCommitLink } from "../db/commits.ts";

/** Parents by SHA as far as stored commits reach; null: the CLI never sent them. */
export type Ancestry = ReadonlyMap<string, readonly string[] | null>;

export interface Continuity {
  previous?: SessionCommitLink;
  next?: SessionCommitLink;
}

/**
 * The nearest of `links` below `sha` in the commit graph (breadth first, first parent first). Where `sha`'s
 * parents are unknown, the link before it in conversation order.
 */
export function previousLink(sha: string, links: readonly SessionCommitLink[], ancestry: Ancestry): SessionCommitLink | undefined {
  const parents = ancestry.get(sha);
  if (!parents) {
    const at = links.findIndex((l) => l.sha === sha);
    return at > 0 ? links[at - 1] : undefined;
  }
  const linked = new Map(links.map((l) => [l.sha, l]));
  const seen = new Set([sha]);
  const queue = [...parents];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i] as string;
    if (seen.has(at)) continue;
    seen.add(at);
    const hit = linked.get(at);
    if (hit) return hit;
    queue.push(...(ancestry.get(at) ?? []));
  }
  return undefined;
}

/** `previous`: what `sha` continues from; `next`: the first link (conversation order) that continues from `sha`. */
export function continuity(sha: string, links: readonly SessionCommitLink[], ancestry: Ancestry): Continuity {
  return {
    previous: previousLink(sha, links, ancestry),
    next: links.find((l) => l.sha !== sha && previousLink(l.sha, links, ancestry)?.sha === sha),
  };
}
