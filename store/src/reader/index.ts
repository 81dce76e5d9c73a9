export { lineAt, type SessionMessages, wholeMessages } from "./messages.ts";
export { BLOCK_RAW_LIMIT, type ReadStats, SessionReader, WINDOW_RAW_LIMIT, type Window, type WindowOptions } from "./session-reader.ts";
