// Conversations in the terminal, from the same mapper the UI uses.

import type { Block, Message } from "@residue/formats/model";
import { toolSummary, unknownLine } from "@residue/formats/view";

function indent(text: string, by = "  ") {
  return text
    .split("\n")
    .map((l) => by + l)
    .join("\n");
}

function block(b: Block): string {
  switch (b.kind) {
    case "text":
      return b.text;
    case "thinking":
      return `(thinking) ${b.text.split("\n")[0]?.slice(0, 160) ?? ""}`;
    case "summary":
      return `[${b.label}]\n${b.text}`;
    case "notice":
      return `[${b.text}]`;
    case "image":
      return "[image]";
    case "unknown":
      return `[${unknownLine(b.records.length)}: ${[...new Set(b.records.map((r) => r.label))].join(", ")}]`;
    case "tool_call": {
      const status = b.result ? (b.result.isError ? " ✗" : " ✓") : "";
      const children = b.children?.length ? `\n${indent(b.children.map(renderMessage).join("\n"), "  │ ")}` : "";
      return `⚙ ${b.name}: ${toolSummary(b.name, b.input)}${status}${children}`;
    }
  }
}

export function renderMessage(m: Message): string {
  const when = m.timestamp ? ` ${new Date(m.timestamp).toISOString().slice(0, 16).replace("T", " ")}` : "";
  return `── ${m.role} #m-${m.index}${when}\n${indent(m.blocks.map(block).join("\n"))}\n`;
}
