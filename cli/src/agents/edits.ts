// Which files a tool call wrote, read with the agent's own tool names (its spec's `edits`). Pure.
import { PATCH_FILE } from "@residue/formats/codex";
import type { EditTools } from "./spec.ts";

export interface ToolCall {
  name: string;
  input: unknown;
}

const strings = (input: unknown): string[] =>
  typeof input === "string" ? [input] : input && typeof input === "object" ? Object.values(input).filter((v) => typeof v === "string") : [];

/** A patch envelope (Codex's apply_patch, OpenCode's patch) names its files in headers, wherever the input holds it. */
function patchFiles(text: string): string[] {
  return text.split("\n").flatMap((line) => PATCH_FILE.exec(line.trim())?.[1] ?? []);
}

function commandText(input: unknown): string | null {
  const o = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const command = o.command ?? o.cmd;
  if (typeof command === "string") return command;
  // Codex passes argv: ["bash", "-lc", "<script>"] or ["apply_patch", "*** Begin Patch…"].
  if (Array.isArray(command)) {
    const argv = command.filter((c) => typeof c === "string");
    const script = argv.findIndex((a) => /^-\w*c$/.test(a));
    return script >= 0 ? (argv[script + 1] ?? "") : argv.join(" ");
  }
  return null;
}

/** A heredoc's body is data, not commands: `cat > f <<EOF … a > b … EOF` writes f only. */
function withoutHeredocs(command: string): string {
  const lines = command.split("\n");
  const kept: string[] = [];
  let delimiter: string | null = null;
  for (const line of lines) {
    if (delimiter !== null) {
      if (line.trim() === delimiter) delimiter = null;
      continue;
    }
    kept.push(line);
    delimiter = /<<-?\s*(['"]?)([\w.-]+)\1/.exec(line)?.[2] ?? null;
  }
  return kept.join("\n");
}

const OPERATOR = ";&|<>()";

/** Words and operators, quotes removed; a newline separates commands like `;`. */
function tokenize(command: string): { word: string; op: boolean }[] {
  const out: { word: string; op: boolean }[] = [];
  let current = "";
  let inWord = false;
  const flush = () => {
    if (inWord) out.push({ word: current, op: false });
    current = "";
    inWord = false;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (c === "'" || c === '"') {
      const end = command.indexOf(c, i + 1);
      const stop = end === -1 ? command.length : end;
      current += command.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (c === "\\") {
      current += command[++i] ?? "";
      inWord = true;
    } else if (c === "\n") {
      flush();
      out.push({ word: ";", op: true });
    } else if (/\s/.test(c)) flush();
    else if (OPERATOR.includes(c)) {
      flush();
      let op = c;
      while (i + 1 < command.length && OPERATOR.includes(command[i + 1] as string) && !"()".includes(command[i + 1] as string))
        op += command[++i];
      out.push({ word: op, op: true });
    } else {
      current += c;
      inWord = true;
    }
  }
  flush();
  return out;
}

const WRITES = new Set([">", ">>", ">|", "&>", "&>>"]);
const SEPARATORS = new Set([";", "&&", "||", "|", "&", "(", ")", ";;", "|&"]);

function commandWrites(words: string[]): string[] {
  const [name, ...args] = words;
  if (name === "tee") return args.filter((a) => !a.startsWith("-"));
  if (name !== "sed" || !args.some((a) => a.startsWith("--in-place") || /^-[a-zA-Z]*i/.test(a))) return [];
  const positional: string[] = [];
  let script = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "-e" || a === "-f") {
      script = true;
      i++;
    } else if (!a.startsWith("-")) positional.push(a);
  }
  // Without -e/-f the first operand is the script.
  return script ? positional : positional.slice(1);
}

/** The files a shell command writes: redirections, `tee` and `sed -i`. Reads, pipes to programs and fd copies are not writes. */
export function shellWrites(command: string): string[] {
  const files: string[] = [];
  let words: string[] = [];
  const endCommand = () => {
    files.push(...commandWrites(words));
    words = [];
  };
  const tokens = tokenize(withoutHeredocs(command));
  for (let i = 0; i < tokens.length; i++) {
    const { word, op } = tokens[i] as { word: string; op: boolean };
    if (!op) {
      // Leading assignments (`FOO=1 sed …`) and sudo do not name the program.
      if (!(words.length === 0 && (/^\w+=/.test(word) || word === "sudo"))) words.push(word);
      continue;
    }
    const next = tokens[i + 1];
    if (WRITES.has(word) || (word === ">&" && next && !/^(\d+|-)$/.test(next.word))) {
      if (next && !next.op) {
        files.push(next.word);
        i++;
      }
    } else if (word.startsWith("<") || word === ">&") {
      if (next && !next.op) i++;
    } else if (SEPARATORS.has(word)) endCommand();
  }
  endCommand();
  return [...new Set(files.filter((f) => f && !f.startsWith("/dev/")))];
}

/** The files a tool call wrote, as the agent named them (absolute, or relative to the session's directory). */
export function editedFiles(tools: EditTools, call: ToolCall, filesTouched: (input: unknown) => string[]): string[] {
  if (tools.write.includes(call.name)) return [...new Set([...filesTouched(call.input), ...strings(call.input).flatMap(patchFiles)])];
  if (!tools.shell.includes(call.name)) return [];
  const command = commandText(call.input);
  if (command === null) return [];
  return [...new Set([...shellWrites(command), ...patchFiles(command)])];
}
