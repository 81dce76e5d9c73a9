// A read outcome that found nothing → the API's error: the status is the read layer's (statusOf), so the
// API and the UI agree on it; the code and message are what API clients have always been told.
import { type NotFound, statusOf } from "../read/outcome.ts";
import { ApiError } from "./errors.ts";

/** `message` says what was asked for in the caller's terms (which path, which SHA). */
export function outcomeError(outcome: NotFound, message: string): ApiError {
  const code =
    outcome.kind === "missing"
      ? `${outcome.what}_not_found`
      : outcome.kind === "ambiguous"
        ? `ambiguous_${outcome.what}`
        : `invalid_${outcome.what}`;
  return new ApiError(statusOf(outcome), code, message);
}
