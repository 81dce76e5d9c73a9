import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "./errors.ts";

export const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** An oversize body up to this size is read and discarded so the client sees the 413 instead of a reset connection. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, already: number) {
  let total = already;
  while (total <= DRAIN_LIMIT_BYTES) {
    const { done, value } = await reader.read();
    if (done) return;
    total += value.byteLength;
  }
  await reader.cancel();
}

async function readTextWithin(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (!request.body) return "";
  const reader = request.body.getReader();
  if (declared > maxBytes) {
    if (declared <= DRAIN_LIMIT_BYTES) await drain(reader, 0);
    else await reader.cancel();
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await drain(reader, total);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

function tooLarge(maxBytes: number) {
  return new ApiError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`)
    .join("; ");
}

/** Reads a JSON body (size-limited) and validates it; every failure is a 4xx with a message. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S, maxBytes = MAX_JSON_BYTES): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'.");
  }
  const text = await readTextWithin(c.req.raw, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid JSON.");
  }
  return parseWith(schema, value, "invalid_body");
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, code: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, code, describeIssues(result.error));
  return result.data;
}
