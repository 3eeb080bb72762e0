/**
 * Client-side limits shared by every request to one portal from one process, so that hundreds of
 * parallel resource operations in one provider host queue here instead of tripping DocSpace's
 * rate limiter (defaults in settings.ts: 1500 requests a minute, 50 concurrent requests, 15 concurrent writes).
 */

export interface PortalLimits {
  /** Requests in flight at once, reads and writes together. */
  maxConcurrentRequests: number;
  /** Writes (POST/PUT/DELETE) in flight at once. */
  maxConcurrentWrites: number;
  /** Requests started in any sliding window of `windowMs`. */
  requestsPerWindow: number;
  windowMs: number;
}

/** Thrown when a deadline passes while waiting for a slot: nothing was sent. */
export class WaitExpired extends Error {}

class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async acquire(deadline = Infinity): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = (): void => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(waiter);
      const timer = Number.isFinite(deadline)
        ? setTimeout(() => {
            const i = this.waiters.indexOf(waiter);
            if (i >= 0) {
              this.waiters.splice(i, 1);
              reject(new WaitExpired());
            }
          }, Math.max(0, deadline - Date.now()))
        : undefined;
    });
  }

  release(): void {
    const next = this.waiters.shift();
    // Hand the slot straight to the next waiter so no one can barge in between.
    if (next) next();
    else this.active--;
  }
}

/**
 * Sliding-window rate limit: at most `limit` requests in any `windowMs`. A request counts from the
 * moment it is sent until `windowMs` after its answer arrived: DocSpace counts it on arrival, which
 * lies somewhere in between, so this never lets more through than the server's own window allows.
 */
class SlidingWindow {
  /** One entry per request: Infinity while in flight, then the time its answer arrived. */
  private readonly marks: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  constructor(private readonly limit: number, private readonly windowMs: number) {}

  /** Waits for room, then returns the function to call when the answer has arrived. */
  take(deadline = Infinity): Promise<() => void> {
    // Serialise the takers so the window is granted in arrival order.
    const turn = this.queue.then(() => this.waitForRoom(deadline));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async waitForRoom(deadline: number): Promise<() => void> {
    for (;;) {
      const now = Date.now();
      if (now >= deadline) throw new WaitExpired();
      for (let i = this.marks.length - 1; i >= 0; i--) if (this.marks[i]! <= now - this.windowMs) this.marks.splice(i, 1);
      if (this.marks.length < this.limit) {
        this.marks.push(Infinity);
        return () => {
          const i = this.marks.indexOf(Infinity);
          if (i >= 0) this.marks[i] = Date.now();
        };
      }
      const oldest = Math.min(...this.marks);
      const wait = Number.isFinite(oldest) ? oldest + this.windowMs - now + 1 : 10;
      if (now + wait > deadline) throw new WaitExpired();
      await sleep(wait);
    }
  }
}

/** Every request to one portal from this process waits here for a slot and for room in the window. */
export class RequestLimiter {
  private readonly all: Semaphore;
  private readonly writes: Semaphore;
  private readonly window: SlidingWindow;

  constructor(readonly limits: PortalLimits) {
    this.all = new Semaphore(limits.maxConcurrentRequests);
    this.writes = new Semaphore(limits.maxConcurrentWrites);
    this.window = new SlidingWindow(limits.requestsPerWindow, limits.windowMs);
  }

  /** Runs `fn` once a slot is free; the slot is released when it settles. Throws WaitExpired at `deadline`. */
  async run<T>(isWrite: boolean, fn: () => Promise<T>, deadline = Infinity): Promise<T> {
    if (isWrite) await this.writes.acquire(deadline);
    try {
      await this.all.acquire(deadline);
    } catch (e) {
      if (isWrite) this.writes.release();
      throw e;
    }
    let answered: (() => void) | undefined;
    try {
      answered = await this.window.take(deadline);
      return await fn();
    } finally {
      answered?.();
      this.all.release();
      if (isWrite) this.writes.release();
    }
  }
}

/**
 * One limiter per portal origin and limits, per process: DocSpace limits a portal's callers as a
 * whole, so every client in the process shares it. It holds only slots and request times, no
 * answer and nothing a decision depends on.
 */
const limiters = new Map<string, RequestLimiter>();

export function limiterFor(origin: string, limits: PortalLimits): RequestLimiter {
  const key = `${origin}|${limits.maxConcurrentRequests}|${limits.maxConcurrentWrites}|${limits.requestsPerWindow}|${limits.windowMs}`;
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new RequestLimiter(limits);
    limiters.set(key, limiter);
  }
  return limiter;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
