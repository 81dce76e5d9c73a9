// The permalink's link and unlink forms post to the permalink itself. Like sign-out they change state, so
// they are honoured only from a page of this app; success redirects back (a reload does not post again).
import { changeLink } from "@residue/api/read/links";
import { statusOf } from "@residue/api/read/outcome";
import { readRepoPath } from "@residue/api/read/repos";
import { getEnv } from "./env.ts";
import { fromSameOrigin, readForm } from "./login-form.ts";

/** `refused`: answer with the message alone; `shown`: show the commit's page with the message on it. */
export type LinkFormResult =
  | { kind: "done"; location: string }
  | { kind: "refused" | "shown"; status: 400 | 403 | 404 | 405 | 409 | 413 | 415; message: string };

/** Longest piece of a typed session id echoed back in a refusal. */
const ECHO = 40;

export async function submitLinkForm(request: Request, segments: string[], url: URL): Promise<LinkFormResult> {
  if (!fromSameOrigin(request)) return { kind: "refused", status: 403, message: "A link or unlink must come from a page of this app." };
  const db = getEnv().DB;
  const path = await readRepoPath(db, segments, url.searchParams.get("host") ?? undefined);
  if (path.kind !== "commit") return { kind: "refused", status: 405, message: "Only a commit's page takes a link or unlink." };
  const form = await readForm(request, "link", ["action", "session"]);
  if (!form.ok) return { kind: "refused", ...form };
  if (form.action !== "link" && form.action !== "unlink") return { kind: "refused", status: 400, message: "Say link or unlink." };
  const typed = form.session.trim();
  const change = await changeLink(db, path.repo, path.sha, typed, form.action === "link", Date.now());
  if (change.kind === "done")
    return { kind: "done", location: `${url.pathname}${url.search}${change.linked ? `#s-${change.session_id}` : ""}` };
  if (change.kind === "missing" && change.what === "commit")
    return { kind: "refused", status: 404, message: `No commit ${path.sha} here.` };
  const echo = typed.slice(0, ECHO);
  const message =
    change.kind === "missing"
      ? `No session ${echo} in ${path.repo.owner}/${path.repo.name}: copy its id from the session's page or \`residue status\`.`
      : change.what === "sha"
        ? `${path.sha} matches several commits; open the commit by more of its SHA.`
        : `${echo} matches several sessions; give more of the id.`;
  return { kind: "shown", status: statusOf(change), message };
}
