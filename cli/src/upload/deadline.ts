// Time limits for network calls. A hook has one budget for everything it does; each request also has its
// own limit. Timers are cleared as soon as the call settles, so nothing left over keeps the process alive.

export class DeadlineError extends Error {
  override name = "TimeoutError";
}

/** Runs `fn` with a signal that aborts after `ms` or when `budget` aborts, whichever comes first. */
export async function withTimeout<T>(ms: number, budget: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineError(`timed out after ${ms} ms`)), ms);
  const onBudget = () => controller.abort(budget?.reason ?? new DeadlineError("out of time"));
  if (budget?.aborted) onBudget();
  else budget?.addEventListener("abort", onBudget, { once: true });
  try {
    return await fn(controller.signal);
  } finally {
    clearTimeout(timer);
    budget?.removeEventListener("abort", onBudget);
  }
}

/** A budget that runs out after `ms`: its signal aborts every request made under it. */
export function budget(ms: number): { signal: AbortSignal; expired: Promise<"expired">; cancel(): void } {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new DeadlineError(`the hook's ${Math.round(ms / 1000)} s ran out`));
      resolve("expired");
    }, ms);
  });
  return { signal: controller.signal, expired, cancel: () => clearTimeout(timer) };
}
