/**
 * Every process a test starts, by its id, so that the test can end them all.
 *
 * `pulumi` starts its language host and each plugin (here the dynamic-provider host,
 * `node …/@pulumi/pulumi/cmd/dynamic-provider/index.js`) in process groups of their own, so
 * killing the CLI, or even its whole process group, leaves them running, re-parented to PID 1,
 * for good (a provider host waits for gRPC calls that never come). A tracker follows the tree
 * below the process it was given through /proc (Linux) while it runs, and remembers each
 * descendant by its id and start time: after its parent dies a process is no longer anyone's
 * child, but it is still known, and a process id that was reused meanwhile is never mistaken for it.
 */
import { readdirSync, readFileSync } from "node:fs";

interface Proc {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat): with the pid, one process. */
  start: string;
}

function stat(pid: number | string): Proc | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined; // exited, not yet reaped
    return { pid: Number(pid), ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return undefined; // gone
  }
}

function allProcesses(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const p = stat(name);
    if (p) out.push(p);
  }
  return out;
}

export class ProcessTree {
  /** pid -> start time of every process seen in the tree. */
  private readonly known = new Map<number, string>();
  private readonly timer: NodeJS.Timeout;

  /** Starts following `root` (e.g. a spawned `pulumi`) and what it starts, every `intervalMs`. */
  constructor(root: number, intervalMs = 100) {
    const r = stat(root);
    if (r) this.known.set(r.pid, r.start);
    this.scan();
    this.timer = setInterval(() => this.scan(), intervalMs);
    this.timer.unref();
  }

  /** Adds the live children of every live known process, to any depth. Returns the live known ones. */
  scan(): Proc[] {
    const procs = allProcesses();
    const live = new Map<number, Proc>();
    for (const p of procs) if (this.known.get(p.pid) === p.start) live.set(p.pid, p);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of procs) {
        if (!live.has(p.pid) && live.has(p.ppid)) {
          live.set(p.pid, p);
          this.known.set(p.pid, p.start);
          grew = true;
        }
      }
    }
    return [...live.values()];
  }

  /** The ids of the known processes still running. */
  alive(): number[] {
    return this.scan().map((p) => p.pid);
  }

  /**
   * SIGKILL to every known process and its descendants. They are stopped first (SIGSTOP) until a
   * scan finds nothing new, so none can start another between the look and the kill. Returns the
   * ids it ended. The tracker keeps following nothing afterwards.
   */
  killAll(): number[] {
    clearInterval(this.timer);
    const stopped = new Map<number, string>();
    for (;;) {
      const fresh = this.scan().filter((p) => stopped.get(p.pid) !== p.start);
      if (fresh.length === 0) break;
      for (const p of fresh) {
        signal(p, "SIGSTOP");
        stopped.set(p.pid, p.start);
      }
    }
    const ended: number[] = [];
    for (const [pid, start] of stopped) {
      if (stat(pid)?.start !== start) continue;
      signal({ pid, start }, "SIGKILL");
      ended.push(pid);
    }
    return ended;
  }

  /** Stops following (the processes are left alone). */
  stop(): void {
    clearInterval(this.timer);
  }
}

function signal(p: { pid: number; start: string }, sig: NodeJS.Signals): void {
  if (p.pid === process.pid || stat(p.pid)?.start !== p.start) return;
  try {
    process.kill(p.pid, sig);
  } catch {
    // already gone
  }
}
