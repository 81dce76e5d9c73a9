// The backend's JSON API, as the CLI sees it. Request and response shapes come from the shared schemas.
import { createReadStream, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { ErrorBody, type SearchDocument, type SessionsUpload, UploadUrlResponse } from "../../../api/src/protocol/schemas.ts";

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
  ) {}

  private async call(path: string, init: RequestInit = {}, auth = true): Promise<unknown> {
    const headers = new Headers(init.headers);
    if (auth) headers.set("authorization", `Bearer ${this.token}`);
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/api${path}`, { ...init, headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const reason = (error as Error).name === "TimeoutError" ? `timed out after ${this.timeoutMs} ms` : (error as Error).message;
      throw new ApiRequestError(0, "unreachable", `Cannot reach ${this.baseUrl}: ${reason}`);
    }
    const text = await res.text();
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
    const res = await fetch(`${this.baseUrl}/api/sessions/${sessionId}`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(this.timeoutMs * 4),
    });
    if (!res.ok) throw new ApiRequestError(res.status, "session_data", `Could not read session ${sessionId} (HTTP ${res.status}).`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async postSessions(upload: SessionsUpload) {
    return this.call("/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(upload) });
  }
}

/**
 * PUTs a file to a presigned URL, streamed with a Content-Length (R2/S3 and the local route both need it).
 * node:http runs the same under node, bun and deno.
 */
export function putFile(
  url: string,
  path: string,
  contentType: string,
  timeoutMs = 120_000,
  onProgress?: (sent: number) => void,
): Promise<void> {
  const size = statSync(path).size;
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = request(
      target,
      { method: "PUT", headers: { "content-type": contentType, "content-length": String(size) }, timeout: timeoutMs },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () => {
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolvePromise();
          else {
            const parsed = ErrorBody.safeParse(
              (() => {
                try {
                  return JSON.parse(text);
                } catch {
                  return null;
                }
              })(),
            );
            reject(
              new ApiRequestError(
                res.statusCode ?? 0,
                parsed.success ? parsed.data.error.code : "upload_failed",
                parsed.success ? parsed.data.error.message : `upload failed with HTTP ${res.statusCode}`,
              ),
            );
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`upload timed out after ${timeoutMs} ms`)));
    req.on("error", (e) => reject(new ApiRequestError(0, "unreachable", `upload to ${target.host} failed: ${e.message}`)));
    let sent = 0;
    const file = createReadStream(path);
    file.on("data", (chunk) => {
      sent += chunk.length;
      onProgress?.(sent);
    });
    file.on("error", reject);
    file.pipe(req);
  });
}
