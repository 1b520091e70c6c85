import { inSpan, reportError } from '@sightline/telemetry';

export interface Periodic {
  /** No new run starts; resolves when the one in progress, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`, never two at once: the next run is scheduled when the last
 * one ends. Each run is a trace of its own, under a span named `name`; a failing run is
 * reported like any other error, and the next run still comes.
 */
export function runPeriodically(
  name: string,
  intervalMs: number,
  task: () => Promise<void>,
): Periodic {
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(() => {
      // Reported inside the span, so the error log line and Sentry event carry its trace id.
      running = inSpan(name, {}, () =>
        task().catch((error: unknown) => reportError(error, { 'error.context': name })),
      ).finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
