/**
 * The step under way (a create or an update carrying out a removal): when it began and its
 * deadline, carried implicitly to every request made on its behalf. Every wait (queueing behind
 * the limits, Retry-After, backoff, the request itself) counts against the deadline, and a read is
 * fresh for the step only if it was sent after the step began.
 */
import { AsyncLocalStorage } from "node:async_hooks";

interface Step {
  startedAt: number;
  deadline: number;
}

const store = new AsyncLocalStorage<Step>();

/** Runs `fn` as a step ending at `deadline` (epoch ms); an inner, earlier deadline wins. */
export function withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  const outer = store.getStore();
  return store.run({ startedAt: Date.now(), deadline: outer === undefined ? deadline : Math.min(outer.deadline, deadline) }, fn);
}

/** The deadline of the current step, if any. */
export function currentDeadline(): number | undefined {
  return store.getStore()?.deadline;
}

/** When the current step began, if there is one. */
export function stepStartedAt(): number | undefined {
  return store.getStore()?.startedAt;
}

/** Milliseconds left before the current deadline (Infinity without one). */
export function timeLeft(now = Date.now()): number {
  const d = store.getStore()?.deadline;
  return d === undefined ? Infinity : d - now;
}
