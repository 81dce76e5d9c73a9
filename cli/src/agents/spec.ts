// What residue knows about one agent, in one object: its transcript format (shared with the UI and search),
// how it is wired into a repo, which hook events start and end its sessions, how its sessions are found
// when it gives no signal, and which files beside the transcript belong to a session. `index.ts` keys one
// per agent by the agent enum, so an agent missing a piece does not compile.
import type { TranscriptFormat } from "@residue/formats";
import type { Deps } from "../deps.ts";
import type { RepoContext } from "../repo/context.ts";
import type { State } from "../state/model.ts";

export interface SetupContext {
  top: string;
  home: string;
  command: string[];
  pathEnv: string;
}

/** A file setup wrote or found already wired, and what it did to it. */
export interface WiringChange {
  path: string;
  message: string;
  /** Holds this machine's path: it must stay out of commits (setup makes sure git ignores it). */
  local?: boolean;
}

export interface Wiring {
  changes: WiringChange[];
  /** What the user should know beyond the files (e.g. that residue is not on PATH here). */
  notes: string[];
}

export interface Adapter {
  name: string;
  summary: string;
  /** What setup writes, in a few words (for help). */
  writes: string;
  setup(ctx: SetupContext): Wiring;
  detect(ctx: SetupContext): string | null;
}

/** How `residue hook <agent>` reads the agent's events (agents whose hooks send Claude Code's payload). */
export interface HookPolicy {
  /** Events that start a session, or reopen it: registering again is harmless. */
  start: string[];
  end: string[];
  /** Claude Code's `--resume` fires an empty `startup` first (see README.md). */
  dropResumePreludes: boolean;
}

/** Registers sessions of an agent that gave no signal (Codex without trusted hooks), before commits are tagged. */
export type Discover = (state: State, since: number) => void;

/** A file captured with a session, appended after its transcript; `name` says which in the uploaded data. */
export interface ExtraFile {
  path: string;
  name: string;
}

/**
 * The tools with which an agent changes files, named as its transcript names them: what a session edited
 * is weighed against what a commit changed when deciding whether it is linked.
 */
export interface EditTools {
  /** Tools whose input names the file they write (as the format's `filesTouched` reads it) or holds a patch. */
  write: string[];
  /** Tools that run a shell command: its redirections (`> f`, `>> f`), `tee f` and `sed -i … f` write files. */
  shell: string[];
}

export interface AgentSpec {
  format: TranscriptFormat;
  setup: Adapter;
  /** Null for agents wired by a file of residue's that calls `residue session` itself. */
  hooks: HookPolicy | null;
  /** Null for agents that always tell residue about their sessions. */
  discover: ((deps: Pick<Deps, "env" | "home" | "now">, repo: Pick<RepoContext, "top" | "control">) => Discover) | null;
  extraFiles(dataPath: string): ExtraFile[];
  edits: EditTools;
}

/** Most agents keep a session in one file. */
export const noExtraFiles = (): ExtraFile[] => [];
