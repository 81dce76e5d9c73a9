// What the forms this app posts carry (sign-in, sign-out, link and unlink): the form's fields (or why the
// request is not such a form: a client error, never a crash), and whether it came from a page of this app.

export type Refusal = { ok: false; status: 400 | 413 | 415; message: string };
export type LoginForm = { ok: true; username: string; password: string; next: string } | Refusal;

const MAX_FORM_BYTES = 64 * 1024;

/** The string fields of a form this app posts (`what` names it in refusals); a missing field reads as "". */
export async function readForm<K extends string>(
  request: Request,
  what: string,
  names: readonly K[],
): Promise<({ ok: true } & Record<K, string>) | Refusal> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data"))
    return { ok: false, status: 415, message: `Send the ${what} form as a form (application/x-www-form-urlencoded).` };
  if (Number(request.headers.get("content-length") ?? Number.NaN) > MAX_FORM_BYTES)
    return { ok: false, status: 413, message: `That ${what} form is too large.` };
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return { ok: false, status: 400, message: `That ${what} form could not be read.` };
  }
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return { ok: true as const, ...(Object.fromEntries(names.map((n) => [n, field(n)])) as Record<K, string>) };
}

export const readLoginForm = (request: Request): Promise<LoginForm> => readForm(request, "sign-in", ["username", "password", "next"]);

/** A state-changing request from a page of this app: the browser's Origin (or Fetch Metadata) says so. */
export function fromSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null) return origin === new URL(request.url).origin;
  return request.headers.get("sec-fetch-site") === "same-origin";
}
