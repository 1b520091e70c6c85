/** The pool is full: `concurrency` jobs run and `queueLimit` wait. */
export class WorkPoolFull extends Error {
  /** About how long until the jobs ahead have run, rounded up to whole seconds (at least 1). */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`too busy: try again in ${retryAfterSeconds} s`);
    this.name = 'WorkPoolFull';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The caller went away: its job, if it had not started, was dropped and never ran. */
export class WorkAbandoned extends Error {
  constructor() {
    super('the caller went away before its work was done');
    this.name = 'WorkAbandoned';
  }
}

export interface WorkPoolSettings {
  /** Jobs that run at once. */
  concurrency: number;
  /** Jobs that may wait for a free slot; one more is refused at once with `WorkPoolFull`. */
  queueLimit: number;
}

interface Waiting {
  start(): void;
  /** Removes the job from the queue, for good. */
  drop(): void;
}

/**
 * Runs expensive jobs (password hashes) `concurrency` at a time, with at most `queueLimit`
 * waiting: a burst past that is refused at once, with a time to come back, rather than joining
 * a queue whose wait grows without end. A waiting job whose caller aborts its signal (the client
 * hung up, or the gateway gave up on it) leaves the queue at once and never runs. A job that
 * has started runs to its end: its work cannot be taken back.
 */
export class WorkPool {
  readonly concurrency: number;
  readonly queueLimit: number;
  private active = 0;
  private readonly waiting: Waiting[] = [];
  /** Moving average of a job's duration, for the time a refused caller is told to wait. */
  private meanSeconds = 0;

  constructor(settings: WorkPoolSettings) {
    this.concurrency = Math.max(1, settings.concurrency);
    this.queueLimit = Math.max(0, settings.queueLimit);
  }

  /** Jobs running now. */
  get running(): number {
    return this.active;
  }

  /** Jobs waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw new WorkAbandoned();
    if (this.active < this.concurrency) this.active++;
    else if (this.waiting.length < this.queueLimit) await this.slot(signal);
    else throw new WorkPoolFull(this.retryAfterSeconds());
    const started = performance.now();
    try {
      return await job();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.meanSeconds = this.meanSeconds === 0 ? seconds : 0.8 * this.meanSeconds + 0.2 * seconds;
      // The slot passes straight to the next in line, so no newcomer can take it in between.
      const next = this.waiting.shift();
      if (next) next.start();
      else this.active--;
    }
  }

  /** Waits for a running job to hand over its slot, unless the caller leaves first. */
  private slot(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        entry.drop();
        reject(new WorkAbandoned());
      };
      const entry: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        drop: () => {
          const index = this.waiting.indexOf(entry);
          if (index >= 0) this.waiting.splice(index, 1);
        },
      };
      this.waiting.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private retryAfterSeconds(): number {
    const ahead = this.active + this.waiting.length;
    return Math.max(1, Math.ceil((ahead / this.concurrency) * this.meanSeconds));
  }
}
