/**
 * Exponential back-off with jitter for posting results: the ceiling doubles with every try up to a
 * maximum, and the delay is drawn from the upper half of it ("equal jitter"), so that results that
 * failed together (the marketplace was down) do not all come back at the same instant, and no retry
 * comes sooner than half the ceiling.
 */
export interface BackoffOptions {
  /** The first ceiling, in seconds. Default 1. */
  readonly baseSeconds?: number;
  /** The largest ceiling, in seconds. Default 300. */
  readonly maxDelaySeconds?: number;
}

/** The delay before try `tries + 1`, after `tries` (≥ 1) failed tries, in seconds. */
export function backoffSeconds(
  tries: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseSeconds ?? 1;
  const max = options.maxDelaySeconds ?? 300;
  const ceiling = Math.min(max, base * 2 ** Math.min(Math.max(tries, 1) - 1, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}
