/**
 * DocSpace runs the tasks of each queue (remove, reassign) one after another, and a task that has
 * waited in its queue for more than 60 s leaves the progress route and the start's dedupe while
 * it still waits (docspace-api.md, section 6). So this process never has more tasks of one queue
 * in flight at the portal than the portal runs: a step takes its queue's slot before its last
 * fresh look and its start, and gives it back once its task has ended or the step has stopped
 * following it. Steps wait for a slot in the order they asked.
 */

/** DocSpace's two task queues: remove/start, and reassign/start (with or without the profile). */
export type TaskQueue = "remove" | "reassign";

class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.free++;
    };
  }
}

export class TaskSlots {
  private readonly queues = new Map<TaskQueue, Slots>();

  constructor(readonly perQueue: number) {}

  /** Runs `fn` holding one slot of `queue`; waits for it first, in arrival order. */
  async hold<T>(queue: TaskQueue, fn: () => Promise<T>): Promise<T> {
    let slots = this.queues.get(queue);
    if (!slots) {
      slots = new Slots(this.perQueue);
      this.queues.set(queue, slots);
    }
    const giveBack = await slots.take();
    try {
      return await fn();
    } finally {
      giveBack();
    }
  }
}
