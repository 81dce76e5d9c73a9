// Whether a client takes a gzip-encoded body. Cloudflare rewrites the Accept-Encoding a Worker sees to
// `br, gzip` and keeps the client's own in `request.cf.clientAcceptEncoding` (local workerd does the same),
// so that one is asked first. A client that names no encoding (curl without --compressed) gets the plain
// transcript: it would otherwise print gzip bytes.

/** True when `header` (an Accept-Encoding value) lists gzip, or `*`, with a weight above zero. */
export function acceptsGzip(header: string | null | undefined): boolean {
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const element of header.split(",")) {
    const [coding, ...params] = element.trim().toLowerCase().split(";");
    if (!coding) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(coding.trim(), q === undefined ? 1 : Number(q));
  }
  const gzip = weights.get("gzip") ?? weights.get("x-gzip") ?? weights.get("*");
  return gzip !== undefined && gzip > 0;
}

/** The encodings the client itself sent, as far as the Worker can know them. */
export function clientAcceptEncoding(request: Request): string | null {
  const cf = (request as { cf?: { clientAcceptEncoding?: unknown } }).cf;
  return typeof cf?.clientAcceptEncoding === "string" ? cf.clientAcceptEncoding : request.headers.get("accept-encoding");
}
