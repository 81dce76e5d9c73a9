// Warnings that outlive the command that found them (a lost transcript, a damaged queue file). They stay in
// the state until `residue dismiss`, so a hook's one line keeps reminding instead of scrolling past once.
import type { Notice, State } from "./model.ts";

export const DISMISS = "`residue dismiss`";
const DISMISS_HINT = `run \`residue status\` for details, then ${DISMISS}`;

export function addNotice(state: State, notice: Notice): void {
  if (!state.notices.some((n) => n.key === notice.key)) state.notices.push(notice);
}

/** The one line a hook or `residue push` prints while notices are pending, or null when there are none. */
export function noticeLine(notices: Notice[]): string | null {
  const [first] = notices;
  if (!first) return null;
  const more = notices.length > 1 ? ` (and ${notices.length - 1} more warning(s))` : "";
  return `${first.message}${more}; ${DISMISS_HINT}`;
}
