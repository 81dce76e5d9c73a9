// Deleting a conversation from the UI. A GET of /app/-/delete/<id> is the confirmation step; its form posts
// back to the same page. Like the link forms it changes state, so it is honoured only from a page of this
// app. The deletion itself is the API's (one copy of the truth: rows, links, search rows, stored object,
// tombstone); success redirects to where the reader came from, with a message, so a reload posts nothing.
import { readSessionPlace, removeSession } from "@residue/api/read/sessions";
import { SessionId } from "@residue/protocol";
import { afterDelete } from "./after-delete.ts";
import { getEnv } from "./env.ts";
import { fromSameOrigin, readForm } from "./login-form.ts";

export type DeleteFormResult =
  | { kind: "done"; location: string }
  | { kind: "refused"; status: 400 | 403 | 404 | 413 | 415; message: string };

export async function submitDeleteForm(request: Request, id: string): Promise<DeleteFormResult> {
  if (!fromSameOrigin(request)) return { kind: "refused", status: 403, message: "A delete must come from a page of this app." };
  const form = await readForm(request, "delete", ["back"]);
  if (!form.ok) return { kind: "refused", ...form };
  const parsed = SessionId.safeParse(id);
  const env = getEnv();
  const place = parsed.success ? await readSessionPlace(env.DB, parsed.data) : null;
  if (!parsed.success || place?.kind !== "found")
    return { kind: "refused", status: 404, message: "No such session here: it may have been deleted already." };
  await removeSession(env.DB, env.BUCKET, parsed.data, Date.now());
  return { kind: "done", location: afterDelete(form.back, place.repo, parsed.data) };
}
