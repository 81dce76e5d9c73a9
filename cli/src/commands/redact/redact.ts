// `residue redact`: what the current rules (built-in, ~/.residue/config, .residue.json) take out of the queued
// sessions. `--dry-run` reads the transcripts and shows each hit masked; without it the snapshots are retaken
// now with those rules, which is what the next push uploads.
import { createReadStream, existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { type Control, loadControl } from "../../config/control.ts";
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { segmentsAgent } from "../../queue/segments.ts";
import { readSnapshot, redactorFor, takeSnapshot } from "../../queue/snapshot.ts";
import { openDocument, openSectionLog, sessionFiles } from "../../queue/sources.ts";
import type { RepoContext } from "../../repo/context.ts";
import type { LocalSession } from "../../state/model.ts";
import { describeSession, queuedSession, repoHere } from "../forget/queued.ts";
import { countsText, type DryRun, dryRun } from "./dry-run.ts";

export interface RedactOptions {
  dryRun?: boolean;
  json?: boolean;
  all?: boolean;
}

/** Hits shown per session unless --all: enough to judge the rules, not a wall of text. */
const SHOWN = 20;

interface Report extends Partial<DryRun> {
  what: string;
  id?: string;
  source?: string;
  redacted?: Record<string, number>;
  note?: string;
}

function isFile(path: string) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The bytes a push would redact: the transcript, or the snapshot kept once the agent deleted it. */
function sessionData(ctx: RepoContext, s: LocalSession): { stream: Readable; source: string } | null {
  if (existsSync(s.data_path)) {
    const files = sessionFiles(s.agent, s.data_path);
    // Every file's lines, whatever order a push lays them out in: the same values are redacted.
    const stream = segmentsAgent(s.agent, s.data_path) ? openSectionLog(files, null).stream : openDocument(files);
    return { stream, source: s.data_path };
  }
  const kept = readSnapshot(ctx.stateDir, s.id);
  return kept ? { stream: createReadStream(kept.gzipPath).pipe(createGunzip()), source: kept.gzipPath } : null;
}

function sessionsToReport(ctx: RepoContext, target: string | undefined, cwd: string): LocalSession[] {
  const state = ctx.store.peek();
  if (target === undefined) return Object.values(state.sessions);
  const session = queuedSession(state, target) ?? queuedSession(state, resolve(cwd, target));
  if (session) return [session];
  if (isFile(resolve(cwd, target)))
    throw new CliError(
      `${target} is not a queued session's transcript`,
      `to see what would be redacted from it: residue redact --dry-run ${target}`,
      EXIT.usage,
    );
  throw new CliError(
    `'${target}' is neither a queued session nor a file`,
    "`residue status` lists the queued sessions; or give a transcript's path",
    EXIT.usage,
  );
}

async function dryRunReports(target: string | undefined, ctx: RepoContext | null, control: Control, deps: Deps): Promise<Report[]> {
  const redactor = redactorFor(control);
  const path = target === undefined ? null : resolve(deps.cwd, target);
  if (path && isFile(path)) return [{ what: path, source: path, ...(await dryRun(createReadStream(path), redactor)) }];
  if (!ctx) throw new CliError(`${deps.cwd} is not inside a git repository`, "give a transcript's path, or cd into a repo", EXIT.usage);
  const reports: Report[] = [];
  for (const s of sessionsToReport(ctx, target, deps.cwd)) {
    const what = describeSession(ctx.stateDir, s);
    const data = sessionData(ctx, s);
    if (!data) reports.push({ what, id: s.id, note: "no transcript and no local copy: nothing to redact" });
    else reports.push({ what, id: s.id, source: data.source, ...(await dryRun(data.stream, redactor)) });
  }
  return reports;
}

async function retake(target: string | undefined, ctx: RepoContext, control: Control, cwd: string): Promise<Report[]> {
  const reports: Report[] = [];
  for (const s of sessionsToReport(ctx, target, cwd)) {
    const snapshot = await takeSnapshot(ctx.stateDir, s.id, s.data_path, s.agent, control);
    const what = describeSession(ctx.stateDir, s);
    if (!snapshot) reports.push({ what, id: s.id, note: "no transcript and no local copy: nothing to redact" });
    else reports.push({ what, id: s.id, redacted: snapshot.meta.redacted ?? {} });
  }
  return reports;
}

function printReport(r: Report, opts: RedactOptions, deps: Deps) {
  deps.out(`${r.what}\n`);
  if (r.note) return deps.out(`  ${r.note}\n`);
  const counts = r.counts ?? r.redacted ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const verb = opts.dryRun ? "would redact" : "redacted in the snapshot:";
  deps.out(
    total ? `  ${verb} ${total} value(s): ${countsText(counts)}\n` : `  ${opts.dryRun ? "nothing to redact" : "nothing redacted"}\n`,
  );
  const hits = r.hits ?? [];
  for (const h of opts.all ? hits : hits.slice(0, SHOWN)) deps.out(`  line ${h.line} [${h.rule}] ${h.context}\n`);
  if (!opts.all && hits.length > SHOWN) deps.out(`  … ${hits.length - SHOWN} more (--all shows them)\n`);
}

export async function runRedact(target: string | undefined, opts: RedactOptions, deps: Deps) {
  const ctx = await repoHere(deps);
  const control = ctx ? ctx.control() : loadControl(deps.home, deps.cwd);
  let reports: Report[];
  if (opts.dryRun) reports = await dryRunReports(target, ctx, control, deps);
  else {
    if (!ctx) throw new CliError(`${deps.cwd} is not inside a git repository`, "cd into the repo whose sessions to redact", EXIT.usage);
    reports = await retake(target, ctx, control, deps.cwd);
  }
  const rules = { files: control.files, hash: control.rulesHash };
  if (opts.json) return deps.out(`${JSON.stringify({ rules, dry_run: !!opts.dryRun, sessions: reports }, null, 2)}\n`);
  deps.out(`Rules: built-in${control.files.length ? ` + ${control.files.join(" + ")}` : ""}\n`);
  if (reports.length === 0) deps.out("No session is queued in this repo.\n");
  for (const r of reports) printReport(r, opts, deps);
  if (!opts.dryRun && reports.length) deps.out("The snapshots follow these rules now; the next push uploads what changed.\n");
}
