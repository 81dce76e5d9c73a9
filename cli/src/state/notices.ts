// Warnings that outlive the command that found them (a lost transcript, a damaged queue file). They stay in
// the state until `residue dismiss`, so a hook's one line keeps reminding instead of scrolling past once.
import type { Notice, State } from "./model.ts";

export const DISMISS = "`residue dismiss`";
const DISMISS_HINT = `run \`residue status\` for details, then ${DISMISS}`;

export function addNotice(state: State, notice: Notice): void {
  if (!state.notices.some((n) => n.key === notice.key)) state.notices.push(notice);
}

/** What a hook or `residue push` reports while notices are pending, or null when there are none. */
export function pendingNotice(notices: Notice[]): { message: string; hint: string } | null {
  const [first] = notices;
  if (!first) return null;
  const more = notices.length > 1 ? ` (and ${notices.length - 1} more warning(s))` : "";
  return { message: `${first.message}${more}`, hint: DISMISS_HINT };
}

export function noticeLine(notices: Notice[]): string | null {
  const notice = pendingNotice(notices);
  return notice && `${notice.message}; ${notice.hint}`;
}
