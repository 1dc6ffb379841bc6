export interface ThrottleOptions {
  /** Failures within the window after which every login from the address fails. */
  maxFailures: number;
  windowMs: number;
  /** Cap on the delay added before a failure is answered. */
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxFailures: 10, windowMs: 60_000, maxDelayMs: 2_000 };

/**
 * Failed-login throttling per client address: each failure is answered after
 * a delay that doubles with the address's recent failures, and after
 * `maxFailures` within the window every login from it fails (with the same
 * error as a wrong password) until old failures age out. A success does not
 * reset the count: one valid account must not unlock guessing at others.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly opts: ThrottleOptions = DEFAULT_THROTTLE) {}

  private recent(address: string, now = Date.now()): number[] {
    const list = this.failures.get(address);
    if (!list) return [];
    const cutoff = now - this.opts.windowMs;
    while (list.length > 0 && list[0]! < cutoff) list.shift();
    if (list.length === 0) this.failures.delete(address);
    return list;
  }

  /** Whether logins from this address are refused for now. */
  locked(address: string): boolean {
    return this.recent(address).length >= this.opts.maxFailures;
  }

  /** Records a failure; returns how long to wait before answering it. */
  failure(address: string): number {
    const now = Date.now();
    const list = this.recent(address, now);
    list.push(now);
    this.failures.set(address, list);
    if (this.failures.size > 100_000) this.prune(now);
    return Math.min(this.opts.maxDelayMs, 25 * 2 ** Math.min(list.length - 1, 20));
  }


  private prune(now: number): void {
    for (const address of [...this.failures.keys()]) this.recent(address, now);
  }
}
