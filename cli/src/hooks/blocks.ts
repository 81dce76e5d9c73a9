// The text residue adds to git hooks, and how it is added to and removed from a hook file. Pure.
export const HOOKS = ["post-commit", "pre-push", "post-rewrite"] as const;
export type HookName = (typeof HOOKS)[number];

const BEGIN = "# >>> residue (added by `residue init`; `residue uninstall` removes it)";
const END = "# <<< residue";

export function shellQuote(s: string) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * How a hook committed with the repo (core.hooksPath in the work tree, e.g. husky) finds the queue on
 * any machine: the main work tree's `.residue/`, as `Git.mainTopLevel` finds it, at run time.
 */
// Hooks run at the work tree's top: a `.git` directory there is the main work tree (no git call, the
// common case); a linked worktree's `.git` is a file, and git names the common dir.
const FIND_JOURNAL = `if [ -d .git ]; then residue_q=.; else residue_q=$(git rev-parse --git-common-dir 2>/dev/null); case $residue_q in */.git) residue_q=\${residue_q%/.git} ;; esac; fi`;

/**
 * The post-commit and post-rewrite blocks only append to the journal: no residue process sits in
 * `git commit`. pre-push runs the binary (bounded; always exits 0). A `portable` block, for hooks a team
 * commits, names nothing of this machine: it finds the journal itself, runs `residue` from PATH, and is
 * silent where residue is not installed.
 */
export function hookBody(hook: HookName, journal: string, command: string[], portable = false): string {
  const j = portable ? '"$residue_q/.residue/journal"' : shellQuote(journal);
  const find = portable ? [FIND_JOURNAL] : [];
  const bin = command[0] ?? "residue";
  switch (hook) {
    case "post-commit":
      // The commit and its parents in one git call, and the wall time in ms: GNU date has %N; BSD date
      // (macOS) prints it literally, so perl (always on macOS) or whole seconds stand in. Commit times
      // alone have 1 s resolution, too coarse to place a commit among an agent's tool calls.
      return [
        ...find,
        `residue_t=$(date +%s%3N 2>/dev/null); case $residue_t in ''|*[!0-9]*) residue_t=$(perl -MTime::HiRes=time -e 'printf "%d", time * 1000' 2>/dev/null || date +%s) ;; esac`,
        `echo "commit $(git rev-list --parents -n 1 HEAD 2>/dev/null) t=$residue_t" >> ${j} 2>/dev/null || :`,
      ].join("\n");
    case "post-rewrite":
      // Reads the old/new pairs, then hands the same input on to whatever follows in this hook.
      return [
        ...find,
        "residue_pairs=$(cat)",
        `printf '%s\\n' "$residue_pairs" | while read -r old new rest; do [ -n "$new" ] && echo "rewrite $old $new $1"; done >> ${j} 2>/dev/null || :`,
        "exec <<RESIDUE_PAIRS",
        "$residue_pairs",
        "RESIDUE_PAIRS",
      ].join("\n");
    case "pre-push":
      if (portable) return ["if command -v residue >/dev/null 2>&1; then", "  residue sync --hook </dev/null || :", "fi"].join("\n");
      return [
        `if [ -x ${shellQuote(bin)} ]; then`,
        `  ${command.map(shellQuote).join(" ")} sync --hook </dev/null || :`,
        "else",
        `  echo "residue: ${bin.replace(/["$`\\]/g, "")} is missing; sessions stay queued (reinstall residue, then run: residue init)" >&2`,
        "fi",
      ].join("\n");
  }
}

export function block(body: string) {
  return `${BEGIN}\n${body}\n${END}\n`;
}

export function hasBlock(content: string) {
  return content.includes(BEGIN);
}

const SHELLS = /^#!\s*(\/usr\/bin\/env\s+)?(\/bin\/|\/usr\/bin\/)?(sh|bash|zsh|dash|ksh)\b/;

export type Installation =
  | { kind: "write"; content: string }
  | { kind: "wrap"; content: string; chainedName: string }
  | { kind: "unchanged" };

export function chainedName(hook: HookName) {
  return `${hook}.residue-chained`;
}

/**
 * Adds our block to a hook. A shell hook gets it right after its shebang, so it runs even when the hook
 * ends in `exit` or `exec`; any other hook is moved aside and called from a small shell wrapper.
 */
export function install(existing: string | null, hook: HookName, body: string): Installation {
  const ours = block(body);
  if (existing === null || existing.trim() === "") return { kind: "write", content: `#!/bin/sh\n${ours}` };
  if (hasBlock(existing)) {
    const updated = replaceBlock(existing, ours);
    return updated === existing ? { kind: "unchanged" } : { kind: "write", content: updated };
  }
  const firstLine = existing.split("\n", 1)[0] ?? "";
  if (firstLine.startsWith("#!") && !SHELLS.test(firstLine)) {
    const chained = chainedName(hook);
    return { kind: "wrap", chainedName: chained, content: `#!/bin/sh\n${ours}exec "$(dirname "$0")/${chained}" "$@"\n` };
  }
  if (firstLine.startsWith("#!")) return { kind: "write", content: `${firstLine}\n${ours}${existing.slice(firstLine.length + 1)}` };
  return { kind: "write", content: `${ours}${existing}` };
}

function replaceBlock(content: string, ours: string) {
  const start = content.indexOf(BEGIN);
  const endAt = content.indexOf(END, start);
  if (endAt === -1) return content;
  const after = content.indexOf("\n", endAt);
  return content.slice(0, start) + ours + (after === -1 ? "" : content.slice(after + 1));
}

/** The hook without our block, or null when nothing else is left in it. */
export function uninstall(content: string): string | null {
  if (!hasBlock(content)) return content;
  const rest = replaceBlock(content, "");
  const meaningful = rest.split("\n").filter((l) => l.trim() && !l.startsWith("#!"));
  return meaningful.length ? rest : null;
}
