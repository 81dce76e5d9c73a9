// The one error type the CLI prints. A known failure (git, the network, the server's answers, files, bad
// arguments) becomes a CliError where it happens, since only there is it known what went wrong and what
// the user can do about it; main prints it as one line. Anything else reaching main is a bug in residue.

/** Exit codes: 1 something failed, 2 the command line asked for something impossible, 4 no login or a rejected one (as gh does). */
export const EXIT = { failure: 1, usage: 2, auth: 4 } as const;

// Fields are declared, not parameter properties: node runs the CLI's sources (tests, bench) by stripping types only.
export class CliError extends Error {
  /** What to do about it. */
  readonly hint: string;
  readonly exitCode: number;
  constructor(
    /** What went wrong, without a trailing period: it is followed by the hint on the same line. */
    message: string,
    hint: string,
    exitCode: number = EXIT.failure,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "CliError";
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

/** Text from elsewhere (git's stderr, a server's message) can span lines; a failure is reported on one. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim();

/**
 * What main prints for a failure, and the exit code: one line, then the stack (and its causes') with
 * RESIDUE_DEBUG=1. A stack is for residue's developers; users get a sentence and something to try.
 */
export function failureReport(error: unknown, debug: boolean): { text: string; exitCode: number } {
  const line =
    error instanceof CliError
      ? `residue: ${oneLine(error.message)} — ${oneLine(error.hint)}`
      : `residue: unexpected error: ${oneLine(error instanceof Error ? error.message : String(error))}${debug ? "" : " (run with RESIDUE_DEBUG=1 for details)"}`;
  return { text: `${line}\n${debug ? stacks(error) : ""}`, exitCode: error instanceof CliError ? error.exitCode : EXIT.failure };
}

function stacks(error: unknown): string {
  let text = "";
  for (let e = error; e !== undefined; e = (e as Error).cause) {
    text += `${text ? "caused by: " : ""}${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`;
    if (!(e instanceof Error)) break;
  }
  return text;
}
