// Session data is served from the API's origin, which also serves /app: a type the uploader chose, such as
// text/html, would let a transcript run as a page there. Only inert types pass, without parameters.
const INERT_TYPES = new Set([
  "application/octet-stream",
  "application/gzip",
  "application/x-gzip",
  "application/json",
  "application/x-ndjson",
  "application/jsonl",
  "text/plain",
]);

export function sessionDataType(declared: string | null | undefined): string {
  const type = (declared ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return INERT_TYPES.has(type) ? type : "application/octet-stream";
}
