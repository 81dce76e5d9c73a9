// A large Claude Code transcript in today's shapes (real-2.1.331: user/assistant/tool results, attachments,
// bookkeeping lines, a rewind, compactions, sub-agents appended behind residue-file markers), with text of
// Zipf-distributed words, code, and some base64 images, so it compresses like real sessions rather than
// like repeated characters. Deterministic (seeded).
//   node scale-proto/gen-transcript.ts OUT.jsonl TURNS
import { closeSync, openSync, writeSync } from "node:fs";

const [out = "/tmp/scale/big.jsonl", turnsArg = "30000"] = process.argv.slice(2);
const TURNS = Number(turnsArg);

let seed = 0x2545f491;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const letters = "abcdefghijklmnopqrstuvwxyz";
const VOCAB = Array.from({ length: 8000 }, () => {
  const n = 2 + Math.floor(rand() * 9);
  let w = "";
  for (let i = 0; i < n; i++) w += letters[Math.floor(rand() * 26)];
  return w;
});
// Zipf: word k with weight 1/k, sampled through a precomputed cumulative table.
const cumulative: number[] = [];
VOCAB.reduce((sum, _w, k) => {
  cumulative.push(sum + 1 / (k + 1));
  return sum + 1 / (k + 1);
}, 0);
const total = cumulative.at(-1) as number;
const word = () => {
  const x = rand() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return VOCAB[lo] as string;
};
const sentence = (n: number) => Array.from({ length: n }, word).join(" ");
const prose = (chars: number) => {
  let s = "";
  while (s.length < chars) s += `${sentence(6 + Math.floor(rand() * 14))}. `;
  return s;
};
const code = (lines: number) =>
  Array.from({ length: lines }, (_, i) => {
    const indent = "  ".repeat(Math.floor(rand() * 4));
    const forms = [
      () => `const ${word()} = ${word()}(${word()}, ${Math.floor(rand() * 1000)});`,
      () => `if (${word()}.${word()} === "${word()}") return ${word()};`,
      () => `// ${sentence(5)}`,
      () => `export function ${word()}${word()}(${word()}: string): number {`,
      () => `}`,
      () => `await ${word()}.${word()}({ ${word()}: ${word()}, ${word()}: ${rand() > 0.5} });`,
    ];
    return `${String(i + 1).padStart(5)}\t${indent}${pick(forms)()}`;
  }).join("\n");
const base64 = (bytes: number) => {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4) b.writeUInt32LE((rand() * 4294967296) >>> 0, Math.min(i, bytes - 4));
  return b.toString("base64");
};
// Log-normal sizes: most tool outputs are small, a few are large.
const logNormal = (median: number, spread: number) =>
  Math.round(median * Math.exp(spread * Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand())));

const SESSION = "9b2f4c1e-7a3d-4e8b-b6c5-1d2e3f4a5b6c";
const common = {
  userType: "external",
  entrypoint: "cli",
  cwd: "/home/dev/acme/widgets",
  sessionId: SESSION,
  version: "2.1.331",
  gitBranch: "main",
};
const start = Date.parse("2026-10-01T08:00:00Z");
let clock = start;
const stamp = (ms: number) => {
  clock += ms;
  return new Date(clock).toISOString();
};
let uuidCounter = 0;
const uuid = () => {
  uuidCounter++;
  const h = uuidCounter.toString(16).padStart(12, "0");
  return `0000${h.slice(0, 4)}-${h.slice(4, 8)}-4${h.slice(8, 11)}-8000-${Math.floor(rand() * 2 ** 48)
    .toString(16)
    .padStart(12, "0")}`;
};

const fd = openSync(out, "w");
let buffer: string[] = [];
let buffered = 0;
let lines = 0;
let bytes = 0;
const emit = (record: unknown) => {
  const line = `${JSON.stringify(record)}\n`;
  buffer.push(line);
  buffered += line.length;
  lines++;
  bytes += Buffer.byteLength(line);
  if (buffered > 1 << 20) flush();
};
const flush = () => {
  writeSync(fd, buffer.join(""));
  buffer = [];
  buffered = 0;
};

const subagents: { agentId: string; prompt: string }[] = [];
let parent: string | null = null;
let rewindPoint: string | null = null;
let messageId = 0;
emit({ type: "queue-operation", operation: "enqueue", timestamp: stamp(0), sessionId: SESSION, content: "start" });
for (let turn = 0; turn < TURNS; turn++) {
  // A rewind: the user goes back two turns; the lines written since stay in the file, abandoned.
  if (turn === 40) parent = rewindPoint;
  const user = uuid();
  emit({
    parentUuid: parent,
    isSidechain: false,
    promptId: uuid(),
    type: "user",
    message: { role: "user", content: `${prose(80 + logNormal(200, 0.8))}` },
    uuid: user,
    timestamp: stamp(20_000),
    permissionMode: "default",
    ...common,
  });
  parent = user;
  if (turn % 3 === 0) {
    const att = uuid();
    emit({
      parentUuid: parent,
      isSidechain: false,
      attachment: { type: "todo_reminder", content: prose(logNormal(600, 0.6)) },
      type: "attachment",
      uuid: att,
      timestamp: stamp(5),
      ...common,
    });
    parent = att;
  }
  const tools = 1 + Math.floor(rand() * 3);
  for (let t = 0; t < tools; t++) {
    const a = uuid();
    const toolId = `toolu_${uuid().replace(/-/g, "").slice(0, 24)}`;
    const spawn = turn % 1500 === 700 && t === 0;
    const tool = spawn ? "Task" : pick(["Read", "Bash", "Grep", "Edit", "Read", "Bash"]);
    const file = `src/${word()}/${word()}.ts`;
    const input =
      tool === "Task"
        ? { description: sentence(4), prompt: prose(300), subagent_type: "general-purpose" }
        : tool === "Read"
          ? { file_path: `/home/dev/acme/widgets/${file}` }
          : tool === "Bash"
            ? { command: `npm test -- ${word()} && git diff --stat`, description: sentence(5) }
            : tool === "Grep"
              ? { pattern: word(), path: "src" }
              : { file_path: `/home/dev/acme/widgets/${file}`, old_string: code(3), new_string: code(4) };
    const content: unknown[] = [];
    if (t === 0 && rand() < 0.5) content.push({ type: "thinking", thinking: prose(logNormal(400, 0.8)), signature: base64(200) });
    content.push({ type: "text", text: prose(logNormal(250, 0.9)) });
    content.push({ type: "tool_use", id: toolId, name: tool, input });
    messageId++;
    emit({
      parentUuid: parent,
      isSidechain: false,
      message: {
        id: `msg_${messageId.toString(36).padStart(10, "0")}`,
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5",
        content,
        stop_reason: "tool_use",
        usage: { input_tokens: Math.floor(rand() * 5000), output_tokens: Math.floor(rand() * 900), cache_read_input_tokens: 40_000 },
      },
      requestId: `req_${uuid().replace(/-/g, "")}`,
      type: "assistant",
      uuid: a,
      timestamp: stamp(4_000),
      ...common,
    });
    const r = uuid();
    const output =
      tool === "Read"
        ? code(Math.max(3, logNormal(120, 0.9)))
        : tool === "Bash"
          ? `${prose(logNormal(1500, 1.1))}\n${code(logNormal(20, 0.8))}`
          : tool === "Task"
            ? prose(2000)
            : prose(logNormal(600, 0.9));
    const agentId = spawn ? `a${uuid().slice(-7)}` : undefined;
    if (agentId) subagents.push({ agentId, prompt: (input as { prompt: string }).prompt });
    const image = turn % 400 === 17 && t === 0;
    emit({
      parentUuid: a,
      isSidechain: false,
      type: "user",
      message: {
        role: "user",
        content: [
          { tool_use_id: toolId, type: "tool_result", content: output },
          ...(image ? [{ type: "image", source: { type: "base64", media_type: "image/png", data: base64(60_000) } }] : []),
        ],
      },
      uuid: r,
      timestamp: stamp(1_500),
      toolUseResult: agentId ? { agentId, status: "completed" } : { stdout: output.slice(0, 200), stderr: "", interrupted: false },
      sourceToolAssistantUUID: a,
      ...common,
    });
    parent = r;
  }
  const done = uuid();
  messageId++;
  emit({
    parentUuid: parent,
    isSidechain: false,
    message: {
      id: `msg_${messageId.toString(36).padStart(10, "0")}`,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: prose(logNormal(500, 0.9)) }],
      stop_reason: "end_turn",
      usage: { input_tokens: 100, output_tokens: 300 },
    },
    type: "assistant",
    uuid: done,
    timestamp: stamp(3_000),
    ...common,
  });
  parent = done;
  if (turn === 37) rewindPoint = parent;
  if (turn % 10 === 9) emit({ type: "last-prompt", lastPrompt: sentence(8), leafUuid: parent, sessionId: SESSION });
  // A compaction every 2,000 turns restarts the chain and links back through logicalParentUuid.
  if (turn % 2000 === 1999) {
    const boundary = uuid();
    emit({
      parentUuid: null,
      logicalParentUuid: parent,
      isSidechain: false,
      type: "system",
      subtype: "compact_boundary",
      content: "Conversation compacted",
      uuid: boundary,
      timestamp: stamp(1_000),
      ...common,
    });
    const summary = uuid();
    emit({
      parentUuid: boundary,
      isSidechain: false,
      type: "user",
      isCompactSummary: true,
      message: { role: "user", content: prose(3000) },
      uuid: summary,
      timestamp: stamp(10),
      ...common,
    });
    parent = summary;
  }
}
// Sub-agent transcripts, appended behind marker lines as residue's snapshot does.
for (const { agentId, prompt } of subagents) {
  emit({ type: "residue-file", path: `subagents/agent-${agentId}.jsonl` });
  let p: string | null = null;
  for (let i = 0; i < 60; i++) {
    const id = uuid();
    const assistant = i % 2 === 1;
    emit({
      parentUuid: p,
      isSidechain: true,
      agentId,
      type: assistant ? "assistant" : "user",
      message: assistant
        ? { id: `msg_sub_${agentId}_${i}`, role: "assistant", model: "claude-haiku-4-5", content: [{ type: "text", text: prose(800) }] }
        : { role: "user", content: i === 0 ? prompt : prose(600) },
      uuid: id,
      timestamp: stamp(100),
      ...common,
    });
    p = id;
  }
}
flush();
closeSync(fd);
console.log(JSON.stringify({ out, turns: TURNS, lines, bytes, subagents: subagents.length }));
