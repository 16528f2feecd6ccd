/**
 * SIGTERM (a service manager) and SIGINT (Ctrl-C) as one AbortSignal, instead of Node's immediate
 * exit: the long-running commands (`deploy`, `dev`) stop what they serve first.
 */
export interface ProcessSignals {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function processSignals(): ProcessSignals {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/** Resolves once `signal` is aborted (at once if it is already). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
