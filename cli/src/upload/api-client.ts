// The backend's JSON API, as the CLI sees it. Request and response shapes come from the shared schemas.
// Every failure leaves here as a CliError that says what it means for the user: the server is not reachable,
// the token is wrong, the thing asked for is not there, the server failed, or it answered in a shape this
// version does not know.
import { createReadStream, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import {
  CLI_VERSION_HEADER,
  CommitDetailResponse,
  ErrorBody,
  LAYOUT_CONFLICT,
  type LayoutObject,
  LinkChangeResponse,
  RepoCommitsResponse,
  type RepoRef,
  SERVER_VERSION_HEADER,
  SESSION_DELETED,
  type SearchDocument,
  SearchResponse,
  type SessionsUpload,
  SessionsUploadResponse,
  UploadUrlResponse,
} from "@residue/protocol";
import { z } from "zod";
import { CliError, EXIT } from "../errors/cli-error.ts";
import { VERSION } from "../version.ts";
import { withTimeout } from "./deadline.ts";
import { SessionLayoutReply } from "./session-source.ts";

/** Any JSON will do here: what matters is whether the server names itself residue, which login checks. */
const HealthReply = z.object({ service: z.unknown() }).catch({ service: undefined });
/** Replies whose content the CLI does not use: any JSON will do. */
const Anything = z.unknown();

/** What a 404 means for one call, when it means more than a wrong URL. */
interface NotFound {
  what: string;
  hint: string;
}

const UNREACHABLE_HINT = "is the server running (npm start), and is the URL right? `residue status` shows it";

const NOT_RESIDUE_HINT = "check the URL: is it a residue server? (residue login --url URL)";

function unreachable(baseUrl: string, error: unknown): CliError {
  const e = error as Error;
  const reason = e.name === "TimeoutError" || e.name === "AbortError" ? `no answer in time: ${e.message}` : e.message;
  return new CliError(`cannot reach ${baseUrl} (${reason})`, UNREACHABLE_HINT, EXIT.failure, { cause: error });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** The server refused a session someone deleted there: the push forgets it here instead of failing. */
export class DeletedOnServer extends CliError {
  constructor(message: string) {
    super(message, "it is forgotten here and not uploaded again");
  }
}

/** A push of a session in segments no longer follows what the server holds (another push was stored first). */
export class LayoutConflict extends CliError {
  constructor(message: string) {
    super(message, "run `residue push` again: the session goes up whole, as a new generation");
  }
}

/** What a call looked up is not on the server (a 404 the call said how to explain). */
export class NotOnServer extends CliError {}

/** A refused request, by what the user can do about it; `notFound` says what a 404 means for this call. */
function httpFailure(baseUrl: string, status: number, body: unknown, notFound?: NotFound): CliError {
  const parsed = ErrorBody.safeParse(body);
  const said = parsed.success ? `: ${parsed.data.error.message}` : "";
  if (status === 410 && parsed.success && parsed.data.error.code === SESSION_DELETED) return new DeletedOnServer(parsed.data.error.message);
  if (status === 409 && parsed.success && parsed.data.error.code === LAYOUT_CONFLICT) return new LayoutConflict(parsed.data.error.message);
  if (status === 401 || status === 403)
    return new CliError(
      `${baseUrl} rejected the token (HTTP ${status}${said})`,
      "log in again with the server's token: residue login --url URL",
      EXIT.auth,
    );
  if (status === 404 && notFound) return new NotOnServer(`${notFound.what} is not on ${baseUrl}`, notFound.hint);
  if (status >= 500)
    return new CliError(`${baseUrl} failed (HTTP ${status}${said})`, "try again; if it keeps failing, the server's logs say why");
  if (!parsed.success) return new CliError(`${baseUrl} answered HTTP ${status}, not as a residue server does`, NOT_RESIDUE_HINT);
  return new CliError(parsed.data.error.message, "change what you asked for (`residue help <command>` lists the options)");
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 15_000,
    /** Aborts every request when the caller's time is up (the pre-push hook's bound). */
    private readonly budget?: AbortSignal,
    /** Told the version each answer names (the handshake: a mismatch becomes a hint, see version-hint.ts). */
    private readonly onServerVersion?: (version: string) => void,
  ) {}

  /** Every API request names this CLI's version, and every answer's server version is passed on. */
  private async apiFetch(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set(CLI_VERSION_HEADER, VERSION);
    const res = await fetch(url, { ...init, headers });
    const server = res.headers.get(SERVER_VERSION_HEADER);
    if (server) this.onServerVersion?.(server);
    return res;
  }

  /** One request, headers and body alike, within this client's limits: a server that stalls mid-body is cut off too. */
  private async fetchText(path: string, init: RequestInit, timeoutMs: number): Promise<{ res: Response; text: string }> {
    try {
      return await withTimeout(timeoutMs, this.budget, async (signal) => {
        const res = await this.apiFetch(`${this.baseUrl}/api${path}`, { ...init, signal });
        return { res, text: await res.text() };
      });
    } catch (error) {
      throw unreachable(this.baseUrl, error);
    }
  }

  private async call<T>(path: string, schema: z.ZodType<T>, init: RequestInit = {}, opts: { auth?: boolean; notFound?: NotFound } = {}) {
    const headers = new Headers(init.headers);
    if (opts.auth !== false) headers.set("authorization", `Bearer ${this.token}`);
    const { res, text } = await this.fetchText(path, { ...init, headers }, this.timeoutMs);
    const body = parseJson(text);
    if (!res.ok) throw httpFailure(this.baseUrl, res.status, body, opts.notFound);
    if (body === null) throw new CliError(`${this.baseUrl} did not answer with JSON`, NOT_RESIDUE_HINT);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(
        `${this.baseUrl} answered ${path.split("?")[0]} in a shape this residue does not know (${issue?.path.join(".") || "body"}: ${issue?.message})`,
        "update residue and the server to the same version",
      );
    }
    return parsed.data;
  }

  async health() {
    return this.call("/health", HealthReply, {}, { auth: false });
  }

  async checkToken(): Promise<void> {
    await this.call("/auth/check", Anything);
  }

  /** Where to PUT a session's data: its one object, or one object of its segments layout. */
  async uploadUrl(sessionId: string, object?: LayoutObject) {
    return this.call("/sessions/upload-url", UploadUrlResponse, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(object ? { session_id: sessionId, object } : { session_id: sessionId }),
    });
  }

  async putSearchDocuments(sessionId: string, docs: SearchDocument[]) {
    return this.call(`/sessions/${sessionId}/search`, Anything, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ docs }),
    });
  }

  async search(params: Record<string, string | undefined>) {
    const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
    return this.call(`/search?${query}`, SearchResponse);
  }

  async commit(owner: string, name: string, sha: string, host?: string) {
    return this.call(
      `/repos/${owner}/${name}/${sha}${host ? `?host=${encodeURIComponent(host)}` : ""}`,
      CommitDetailResponse,
      {},
      {
        notFound: {
          what: `commit ${sha.slice(0, 12)} of ${owner}/${name}`,
          hint: "its conversations go up with `git push` (or `residue push`); check the revision",
        },
      },
    );
  }

  /** Links (`linked`) or unlinks a session, named by its id or a unique prefix, to one of the repo's commits. */
  async setLink(repo: RepoRef, sha: string, session: string, linked: boolean) {
    return this.call(
      `/repos/${repo.owner}/${repo.name}/commits/${sha}/sessions/${encodeURIComponent(session)}?host=${encodeURIComponent(repo.host)}`,
      LinkChangeResponse,
      { method: linked ? "PUT" : "DELETE" },
      {
        notFound: {
          what: `session ${session} of ${repo.owner}/${repo.name}`,
          hint: "copy its id from the permalink, `residue show` or `residue status`; a session goes up with `git push` (or `residue push`)",
        },
      },
    );
  }

  /** One page of a repo's commits, newest first, each with its sessions. */
  async repoCommits(repo: RepoRef, cursor?: string) {
    const query = new URLSearchParams({ limit: "100", host: repo.host, ...(cursor ? { cursor } : {}) });
    return this.call(`/repos/${repo.owner}/${repo.name}?${query}`, RepoCommitsResponse);
  }

  /** Removes a session, its data and its links from the server. */
  async deleteSession(sessionId: string) {
    return this.call(
      `/sessions/${encodeURIComponent(sessionId)}`,
      Anything,
      { method: "DELETE" },
      { notFound: { what: `session ${sessionId}`, hint: "it was never uploaded, or was deleted already" } },
    );
  }

  async sessionData(sessionId: string): Promise<Uint8Array> {
    const res = await withTimeout(this.timeoutMs * 4, this.budget, async (signal) => {
      const res = await this.apiFetch(`${this.baseUrl}/api/sessions/${sessionId}`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal,
      });
      return { status: res.status, ok: res.ok, bytes: new Uint8Array(await res.arrayBuffer()) };
    }).catch((error) => {
      throw unreachable(this.baseUrl, error);
    });
    if (!res.ok)
      throw httpFailure(this.baseUrl, res.status, parseJson(Buffer.from(res.bytes).toString("utf8")), {
        what: `session ${sessionId}`,
        hint: "its data has not reached the server yet: `residue push` in the clone that recorded it sends it",
      });
    return res.bytes;
  }

  /** `deleted`: sessions of the upload someone deleted on the server, left out with their links. */
  async postSessions(upload: SessionsUpload) {
    return this.call("/sessions", SessionsUploadResponse, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(upload),
    });
  }

  /** How a session is stored: a segments session's manifest names the objects its messages are read from. */
  async sessionLayout(sessionId: string) {
    return this.call(`/sessions/${encodeURIComponent(sessionId)}/layout`, SessionLayoutReply, {}, { notFound: sessionNotThere(sessionId) });
  }

  /** `length` bytes from `offset` of a segments session's object `name` (c<n> or i<n>) of a generation. */
  async sessionObject(sessionId: string, generation: number, name: string, offset: number, length: number): Promise<Uint8Array> {
    const path = `/api/sessions/${encodeURIComponent(sessionId)}/objects/${generation}/${encodeURIComponent(name)}`;
    const headers = { authorization: `Bearer ${this.token}`, range: `bytes=${offset}-${offset + length - 1}` };
    const res = await withTimeout(this.timeoutMs, this.budget, async (signal) => {
      const res = await this.apiFetch(`${this.baseUrl}${path}`, { headers, signal });
      return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
    }).catch((error) => {
      throw unreachable(this.baseUrl, error);
    });
    if (res.status !== 206 && res.status !== 200)
      throw httpFailure(this.baseUrl, res.status, parseJson(Buffer.from(res.bytes).toString("utf8")), sessionNotThere(sessionId));
    // A server that ignored the range sent the whole object: the asked-for bytes are still in it.
    return res.status === 200 ? res.bytes.subarray(offset, offset + length) : res.bytes;
  }
}

const sessionNotThere = (sessionId: string): NotFound => ({
  what: `session ${sessionId}`,
  hint: "its data has not reached the server yet: `residue push` in the clone that recorded it sends it",
});

export interface PutOptions {
  timeoutMs: number;
  /** The caller's budget: aborting it cuts the upload off wherever it is. */
  signal?: AbortSignal;
  onProgress?: (sent: number) => void;
  /** Only these bytes of the file (a chunk of a segmented snapshot). */
  range?: { offset: number; length: number };
}

/** A presigned URL carries its own signature, so a refused PUT says nothing about the login: it is retried. */
function uploadFailure(host: string, status: number, text: string): CliError {
  const parsed = ErrorBody.safeParse(parseJson(text));
  return new CliError(
    `upload to ${host} failed (HTTP ${status}${parsed.success ? `: ${parsed.data.error.message}` : ""})`,
    PUSH_AGAIN_HINT,
  );
}

const PUSH_AGAIN_HINT = "the session stays queued: run `residue push` again";

/**
 * PUTs a file to a presigned URL, streamed with a Content-Length (R2/S3 and the local route both need it).
 * node:http runs the same under node, bun and deno. The whole upload, not just each idle gap, is bounded.
 */
export function putFile(url: string, path: string, contentType: string, opts: PutOptions): Promise<void> {
  const size = opts.range ? opts.range.length : statSync(path).size;
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return withTimeout(
    opts.timeoutMs,
    opts.signal,
    (signal) =>
      new Promise<void>((resolvePromise, reject) => {
        const file = opts.range
          ? createReadStream(path, { start: opts.range.offset, end: opts.range.offset + opts.range.length - 1 })
          : createReadStream(path);
        const req = request(target, { method: "PUT", headers: { "content-type": contentType, "content-length": String(size) } }, (res) => {
          let text = "";
          res.on("data", (d: Buffer) => {
            text += d.toString();
          });
          res.on("error", (e) =>
            reject(new CliError(`upload to ${target.host} failed (${e.message})`, PUSH_AGAIN_HINT, EXIT.failure, { cause: e })),
          );
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolvePromise();
            else reject(uploadFailure(target.host, status, text));
          });
        });
        const abort = () => {
          const reason = (signal.reason as Error | undefined)?.message ?? "aborted";
          file.destroy();
          req.destroy(new Error(reason));
        };
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
        req.on("error", (e) =>
          reject(new CliError(`upload to ${target.host} failed (${e.message})`, PUSH_AGAIN_HINT, EXIT.failure, { cause: e })),
        );
        req.on("close", () => signal.removeEventListener("abort", abort));
        let sent = 0;
        file.on("data", (chunk) => {
          sent += chunk.length;
          opts.onProgress?.(sent);
        });
        file.on("error", (e) => reject(new CliError(`cannot read ${path} (${e.message})`, PUSH_AGAIN_HINT, EXIT.failure, { cause: e })));
        file.pipe(req);
      }),
  );
}
