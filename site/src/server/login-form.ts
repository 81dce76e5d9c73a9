// What the sign-in and sign-out requests carry: the form's fields (or why the request is not a sign-in
// form: a client error, never a crash), and whether it came from a page of this app.

export type LoginForm =
  | { ok: true; username: string; password: string; next: string }
  | { ok: false; status: 400 | 413 | 415; message: string };

const MAX_FORM_BYTES = 64 * 1024;

export async function readLoginForm(request: Request): Promise<LoginForm> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data"))
    return { ok: false, status: 415, message: "Send the sign-in form as a form (application/x-www-form-urlencoded)." };
  if (Number(request.headers.get("content-length") ?? Number.NaN) > MAX_FORM_BYTES)
    return { ok: false, status: 413, message: "That sign-in form is too large." };
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return { ok: false, status: 400, message: "That sign-in form could not be read." };
  }
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return { ok: true, username: field("username"), password: field("password"), next: field("next") };
}

/** A state-changing request from a page of this app: the browser's Origin (or Fetch Metadata) says so. */
export function fromSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null) return origin === new URL(request.url).origin;
  return request.headers.get("sec-fetch-site") === "same-origin";
}
