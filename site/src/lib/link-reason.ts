// Why a session is linked to a commit, as the permalink says it.
import type { LinkReason } from "@residue/protocol";
import { shortSha } from "./format.ts";

/** Files named before "and N more": a reason may carry 50. */
const NAMED_FILES = 3;

/** A few words; null when the CLI that made the link did not say why. */
export function reasonText(reason: LinkReason | null | undefined): string | null {
  if (!reason) return null;
  if (reason.kind === "manual") return "linked by hand";
  if (reason.kind === "messages") return reason.since_sha ? `new turns since ${shortSha(reason.since_sha)}` : "new turns in this session";
  const named = reason.files.slice(0, NAMED_FILES).join(", ");
  const more = reason.files.length - NAMED_FILES;
  return `edited ${named}${more > 0 ? ` and ${more} more file${more === 1 ? "" : "s"}` : ""}, changed here`;
}
