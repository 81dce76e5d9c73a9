// A scripted model server on 127.0.0.1 speaking Anthropic's Messages API (streaming and not), so the real
// agents run offline: each request gets the next step of a script (tool calls, then a final answer).
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";

interface RequestBody {
  messages?: { role?: string }[];
  tools?: unknown[];
  stream?: boolean;
  model?: string;
}

export type Step = { tool: string; input: Record<string, unknown> } | { text: string };

export interface ModelServer {
  url: string;
  requests: { path: string; body: RequestBody }[];
  /** Every text the agent's conversation got as a reply (side requests such as titles are not in it). */
  replies: string[];
  close(): Promise<void>;
}

/** Notes a text step answered to the conversation itself. */
function noteReply(replies: string[], step: Step, main: boolean) {
  if (main && "text" in step && !replies.includes(step.text)) replies.push(step.text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (d) => (data += d));
    req.on("end", () => resolve(data));
  });
}

function content(step: Step, id: string) {
  return "tool" in step ? { type: "tool_use", id, name: step.tool, input: step.input } : { type: "text", text: step.text };
}

function sse(step: Step, id: string, model: string): string {
  const events: [string, unknown][] = [];
  events.push([
    "message_start",
    {
      type: "message_start",
      message: {
        id: `msg_${id}`,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 1 },
      },
    },
  ]);
  if ("tool" in step) {
    events.push([
      "content_block_start",
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id, name: step.tool, input: {} } },
    ]);
    events.push([
      "content_block_delta",
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(step.input) } },
    ]);
  } else {
    events.push(["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }]);
    events.push(["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: step.text } }]);
  }
  events.push(["content_block_stop", { type: "content_block_stop", index: 0 }]);
  events.push([
    "message_delta",
    {
      type: "message_delta",
      delta: { stop_reason: "tool" in step ? "tool_use" : "end_turn", stop_sequence: null },
      usage: { output_tokens: 20 },
    },
  ]);
  events.push(["message_stop", { type: "message_stop" }]);
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

/** Step n answers the request that already holds n assistant turns; side requests (titles, etc.) get text. */
export async function startModelServer(script: Step[], finalText = "Done."): Promise<ModelServer> {
  const requests: ModelServer["requests"] = [];
  const replies: string[] = [];
  let counter = 0;
  const server: Server = createServer(async (req, res) => {
    if (req.method !== "POST") {
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    const raw = await readBody(req);
    let body: RequestBody = {};
    try {
      body = JSON.parse(raw);
    } catch {
      // not JSON: answered below like any side request
    }
    requests.push({ path: req.url ?? "", body });
    if (!(req.url ?? "").includes("/messages") || (req.url ?? "").includes("count_tokens")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ input_tokens: 10 }));
      return;
    }
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const main = Array.isArray(body.tools) && body.tools.length > 0;
    const turns = messages.filter((m) => m.role === "assistant").length;
    const step: Step = main && turns < script.length ? (script[turns] as Step) : { text: main ? finalText : "Scripted title" };
    noteReply(replies, step, main);
    const id = `toolu_${String(++counter).padStart(4, "0")}`;
    const model = typeof body.model === "string" ? body.model : "scripted";
    if (body.stream) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.end(sse(step, id, model));
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `msg_${id}`,
          type: "message",
          role: "assistant",
          model,
          content: [content(step, id)],
          stop_reason: "tool" in step ? "tool_use" : "end_turn",
          stop_sequence: null,
          usage: { input_tokens: 12, output_tokens: 20 },
        }),
      );
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    replies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * The same idea for OpenAI's Responses API (Codex CLI): each POST /v1/responses gets the next step as
 * `response.output_item.done` events; a step's tool call is a `function_call` item.
 */
export async function startResponsesServer(script: Step[], finalText = "Done."): Promise<ModelServer> {
  const requests: ModelServer["requests"] = [];
  const replies: string[] = [];
  let counter = 0;
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    let body: RequestBody & { input?: { type?: string }[] } = {};
    try {
      body = JSON.parse(raw);
    } catch {
      // answered like any other request below
    }
    requests.push({ path: req.url ?? "", body });
    if (req.method !== "POST" || !(req.url ?? "").includes("/responses")) {
      res.writeHead(404).end();
      return;
    }
    // Step n answers the request whose input already holds n function-call outputs.
    const done = (body.input ?? []).filter((i) => i.type === "function_call_output").length;
    const step: Step = done < script.length ? (script[done] as Step) : { text: finalText };
    noteReply(replies, step, true);
    const id = `${++counter}`;
    const item =
      "tool" in step
        ? { type: "function_call", id: `fc_${id}`, call_id: `call_${id}`, name: step.tool, arguments: JSON.stringify(step.input) }
        : { type: "message", id: `msg_${id}`, role: "assistant", content: [{ type: "output_text", text: step.text }] };
    const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(
      event("response.created", { response: { id: `resp_${id}` } }) +
        event("response.output_item.done", { item }) +
        event("response.completed", { response: { id: `resp_${id}`, usage: { input_tokens: 12, output_tokens: 20, total_tokens: 32 } } }),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, requests, replies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** And for the Gemini API (Gemini CLI): `:streamGenerateContent?alt=sse` answers the next step. */
export async function startGeminiServer(script: Step[], finalText = "Done."): Promise<ModelServer> {
  const requests: ModelServer["requests"] = [];
  const replies: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    let body: { contents?: { parts?: { functionResponse?: unknown }[] }[]; tools?: unknown[] } = {};
    try {
      body = JSON.parse(raw);
    } catch {
      // answered like any other request below
    }
    requests.push({ path: req.url ?? "", body: body as RequestBody });
    const url = req.url ?? "";
    if (url.includes(":countTokens")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ totalTokens: 10 }));
      return;
    }
    const done = (body.contents ?? []).flatMap((c) => c.parts ?? []).filter((p) => p.functionResponse).length;
    const main = Array.isArray(body.tools) && body.tools.length > 0;
    const step: Step = main && done < script.length ? (script[done] as Step) : { text: main ? finalText : "Scripted." };
    noteReply(replies, step, main);
    const part = "tool" in step ? { functionCall: { name: step.tool, args: step.input } } : { text: step.text };
    const payload = {
      candidates: [{ content: { role: "model", parts: [part] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 20, totalTokenCount: 32 },
    };
    if (url.includes(":streamGenerateContent")) {
      res.writeHead(200, { "content-type": "text/event-stream" }).end(`data: ${JSON.stringify(payload)}\n\n`);
    } else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(payload));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, requests, replies, close: () => new Promise<void>((r) => server.close(() => r())) };
}
