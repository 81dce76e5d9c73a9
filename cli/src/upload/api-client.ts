// The backend's JSON API, as the CLI sees it. Request and response shapes come from the shared schemas.
import { createReadStream, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { ErrorBody, type SearchDocument, type SessionsUpload, UploadUrlResponse } from "../../../api/src/protocol/schemas.ts";
import { withTimeout } from "./deadline.ts";

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 15_000,
    /** Aborts every request when the caller's time is up (the pre-push hook's bound). */
    private readonly budget?: AbortSignal,
  ) {}

  /** One request, headers and body alike, within this client's limits: a server that stalls mid-body is cut off too. */
  private async fetchText(path: string, init: RequestInit, timeoutMs: number): Promise<{ res: Response; text: string }> {
    try {
      return await withTimeout(timeoutMs, this.budget, async (signal) => {
        const res = await fetch(`${this.baseUrl}/api${path}`, { ...init, signal });
        return { res, text: await res.text() };
      });
    } catch (error) {
      const e = error as Error;
      const reason = e.name === "TimeoutError" || e.name === "AbortError" ? `no answer in time (${e.message})` : e.message;
      throw new ApiRequestError(0, "unreachable", `Cannot reach ${this.baseUrl}: ${reason}`);
    }
  }

  private async call(path: string, init: RequestInit = {}, auth = true): Promise<unknown> {
    const headers = new Headers(init.headers);
    if (auth) headers.set("authorization", `Bearer ${this.token}`);
    const { res, text } = await this.fetchText(path, { ...init, headers }, this.timeoutMs);
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: handled below
    }
    if (!res.ok) {
      const parsed = ErrorBody.safeParse(body);
      const message = parsed.success ? parsed.data.error.message : `HTTP ${res.status} from ${this.baseUrl}`;
      throw new ApiRequestError(res.status, parsed.success ? parsed.data.error.code : `http_${res.status}`, message);
    }
    if (body === null)
      throw new ApiRequestError(res.status, "not_json", `${this.baseUrl} did not answer with JSON; is it a residue server?`);
    return body;
  }

  async health(): Promise<{ ok: boolean; service?: string }> {
    return (await this.call("/health", {}, false)) as { ok: boolean; service?: string };
  }

  async checkToken(): Promise<void> {
    await this.call("/auth/check");
  }

  async uploadUrl(sessionId: string) {
    const body = await this.call("/sessions/upload-url", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session_id: sessionId }),
    });
    return UploadUrlResponse.parse(body);
  }

  async putSearchDocuments(sessionId: string, docs: SearchDocument[]) {
    return this.call(`/sessions/${sessionId}/search`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ docs }),
    });
  }

  async search(params: Record<string, string | undefined>) {
    const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    return this.call(`/search?${query}`);
  }

  async commit(owner: string, name: string, sha: string, host?: string) {
    return this.call(`/repos/${owner}/${name}/${sha}${host ? `?host=${encodeURIComponent(host)}` : ""}`);
  }

  async sessionData(sessionId: string): Promise<Uint8Array> {
    try {
      return await withTimeout(this.timeoutMs * 4, this.budget, async (signal) => {
        const res = await fetch(`${this.baseUrl}/api/sessions/${sessionId}`, {
          headers: { authorization: `Bearer ${this.token}` },
          signal,
        });
        if (!res.ok) throw new ApiRequestError(res.status, "session_data", `Could not read session ${sessionId} (HTTP ${res.status}).`);
        return new Uint8Array(await res.arrayBuffer());
      });
    } catch (error) {
      if (error instanceof ApiRequestError) throw error;
      throw new ApiRequestError(0, "unreachable", `Cannot read session ${sessionId} from ${this.baseUrl}: ${(error as Error).message}`);
    }
  }

  async postSessions(upload: SessionsUpload) {
    return this.call("/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(upload) });
  }
}

export interface PutOptions {
  timeoutMs: number;
  /** The caller's budget: aborting it cuts the upload off wherever it is. */
  signal?: AbortSignal;
  onProgress?: (sent: number) => void;
}

function errorFromBody(status: number, text: string, fallback: string): ApiRequestError {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the fallback message
  }
  const parsed = ErrorBody.safeParse(body);
  return parsed.success
    ? new ApiRequestError(status, parsed.data.error.code, parsed.data.error.message)
    : new ApiRequestError(status, "upload_failed", fallback);
}

/**
 * PUTs a file to a presigned URL, streamed with a Content-Length (R2/S3 and the local route both need it).
 * node:http runs the same under node, bun and deno. The whole upload, not just each idle gap, is bounded.
 */
export function putFile(url: string, path: string, contentType: string, opts: PutOptions): Promise<void> {
  const size = statSync(path).size;
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return withTimeout(
    opts.timeoutMs,
    opts.signal,
    (signal) =>
      new Promise<void>((resolvePromise, reject) => {
        const file = createReadStream(path);
        const req = request(target, { method: "PUT", headers: { "content-type": contentType, "content-length": String(size) } }, (res) => {
          let text = "";
          res.on("data", (d: Buffer) => {
            text += d.toString();
          });
          res.on("error", (e) => reject(new ApiRequestError(0, "unreachable", `upload to ${target.host} failed: ${e.message}`)));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolvePromise();
            else reject(errorFromBody(status, text, `upload failed with HTTP ${status}`));
          });
        });
        const abort = () => {
          const reason = (signal.reason as Error | undefined)?.message ?? "aborted";
          file.destroy();
          req.destroy(new Error(reason));
        };
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
        req.on("error", (e) => reject(new ApiRequestError(0, "unreachable", `upload to ${target.host} failed: ${e.message}`)));
        req.on("close", () => signal.removeEventListener("abort", abort));
        let sent = 0;
        file.on("data", (chunk) => {
          sent += chunk.length;
          opts.onProgress?.(sent);
        });
        file.on("error", reject);
        file.pipe(req);
      }),
  );
}
