// The first thing the user asked, as a session title. Only the first lines are tried; anything odd is skipped.
const MAX_TITLE = 200;

function clean(text: string): string | null {
  const line = text.replace(/\s+/g, " ").trim();
  if (!line || line.startsWith("<") || line.startsWith("[Request interrupted")) return null;
  return line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE - 1)}…` : line;
}

function textOf(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    for (const part of content) {
      if (part && typeof part === "object" && (part as { type?: string }).type?.match(/^(text|input_text)$/)) {
        const t = (part as { text?: unknown }).text;
        if (typeof t === "string") return t;
      }
    }
  }
  return null;
}

export function firstUserPrompt(agent: string, line: string): string | null {
  if (!line.includes("user")) return null;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line);
  } catch {
    return null;
  }
  const message = record.message as { role?: string; content?: unknown } | undefined;
  switch (agent) {
    case "claude-code":
      if (record.type !== "user" || record.isMeta || record.isSidechain || record.isCompactSummary) return null;
      return clean(textOf(message?.content) ?? "");
    case "pi":
      if (record.type !== "message" || message?.role !== "user") return null;
      return clean(textOf(message.content) ?? "");
    case "codex": {
      // Older rollouts echo the prompt as an event; newer ones only as a user message item.
      const payload = record.payload as { type?: string; message?: string; role?: string; content?: unknown } | undefined;
      if (record.type === "event_msg" && payload?.type === "user_message") return clean(payload.message ?? "");
      if (record.type === "response_item" && payload?.type === "message" && payload.role === "user")
        return clean(textOf(payload.content) ?? "");
      return null;
    }
    case "opencode": {
      const info = record.info as { role?: string } | undefined;
      if (record.type !== "message" || info?.role !== "user") return null;
      const parts = Array.isArray(record.parts) ? (record.parts as { type?: string; text?: string; synthetic?: boolean }[]) : [];
      return clean(parts.find((p) => p.type === "text" && !p.synthetic)?.text ?? "");
    }
    case "gemini": {
      if (record.type !== "user") return null;
      const parts = Array.isArray(record.content) ? record.content : [];
      const text =
        typeof record.content === "string"
          ? record.content
          : parts.map((p) => (p && typeof p === "object" ? ((p as { text?: string }).text ?? "") : "")).join("");
      return clean(text);
    }
    default:
      return message?.role === "user" ? clean(textOf(message.content) ?? "") : null;
  }
}
