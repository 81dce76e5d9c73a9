// A fault-injecting HTTP proxy on 127.0.0.1 in front of the real backend: each request is passed through or
// failed the way a bad network or a sick server fails it. Loopback only, and it closes itself after
// `lifetimeMs` so a failed test never leaves it running.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type Fault =
  | "pass"
  /** Accept the connection, read nothing, never answer (a hung server; for a PUT, a stalled upload). */
  | "hang"
  /** Forward, then send the backend's headers and half its body, and stall. */
  | "stall-body"
  /** Forward, let the backend do the work, then answer 500 as if it had failed (a POST failing after the upload). */
  | "fail-after"
  /** Answer this status without reaching the backend. */
  | { status: number };

export interface ProxiedRequest {
  method: string;
  path: string;
  fault: Fault;
}

export type Rule = (req: { method: string; path: string }) => Fault;

export interface FaultProxy {
  url: string;
  setRule(rule: Rule): void;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** The routes the CLI calls on push, named so a rule can target one. */
export function route(method: string, path: string): "upload-url" | "upload" | "sessions" | "search" | "other" {
  if (method === "POST" && path === "/api/sessions/upload-url") return "upload-url";
  if (method === "PUT" && path.startsWith("/api/uploads/")) return "upload";
  if (method === "POST" && path === "/api/sessions") return "sessions";
  if (method === "PUT" && /^\/api\/sessions\/[^/]+\/search$/.test(path)) return "search";
  return "other";
}

function forward(upstream: URL, req: IncomingMessage, onResponse: (res: IncomingMessage) => void, onError: () => void) {
  // The Host header is passed on unchanged, so upload URLs the backend signs point back through the proxy.
  const out = httpRequest(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    onResponse,
  );
  out.on("error", onError);
  req.pipe(out);
}

export async function startFaultProxy(upstreamUrl: string, rule: Rule = () => "pass", lifetimeMs = 120_000): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<Socket>();
  const requests: ProxiedRequest[] = [];
  let current = rule;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] as string;
    const fault = current({ method, path });
    requests.push({ method, path, fault });
    const fail = () => res.destroy();
    if (fault === "hang") return;
    if (typeof fault === "object") {
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "injected", message: `injected HTTP ${fault.status}` } }));
      return;
    }
    forward(
      upstream,
      req,
      (up) => {
        if (fault === "pass") {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          const body = Buffer.concat(chunks);
          if (fault === "fail-after") {
            res.writeHead(500, { "content-type": "application/json" });
            res.end(JSON.stringify({ error: { code: "injected", message: "injected HTTP 500 after the work was done" } }));
            return;
          }
          // stall-body: the promised length never arrives.
          res.writeHead(up.statusCode ?? 200, { "content-type": "application/json", "content-length": String(body.length + 64) });
          res.write(body.subarray(0, Math.floor(body.length / 2)));
        });
      },
      fail,
    );
  };

  const server: Server = createServer(handle);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");
  const close = () =>
    new Promise<void>((resolve) => {
      clearTimeout(stopper);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  const stopper = setTimeout(close, lifetimeMs);
  stopper.unref();
  return { url: `http://127.0.0.1:${address.port}`, setRule: (r) => (current = r), requests, close };
}
