/**
 * A memory probe for the benchmark, loaded into the Pulumi program's process (and the provider
 * host's) with `NODE_OPTIONS=--require <dist/tools/heap-probe.js>`; it is never part of the
 * package. With BENCH_HEAP_DIR set, it samples the process's memory every 50 ms and, when the
 * process ends, writes `<role>-<pid>.json` there: the peaks (RSS, V8 heap used, external, and the
 * largest heap left after a full GC), the heap after a full GC when the program had sent
 * everything (`sent`: its first `beforeExit`) and at its end (`finished`), a time series, and
 * V8's heap spaces. Heap snapshots (`<role>-<pid>[-peak|-live].heapsnapshot`):
 * BENCH_HEAP_SNAPSHOT=1 at `sent`; =peak-N when the heap used first passes N MB; =live-N when the
 * heap left after a full GC first reaches N MB (each at most once).
 *
 * With BENCH_CPU_PROF=1 it also records a V8 CPU profile of the process (through the inspector, in
 * the process itself) and writes `<role>-<pid>.cpuprofile` when it has finished (tools/cpu-summary.ts).
 *
 * A program may call `globalThis.__benchHeapMark?.(label)` to record the heap at a point of its
 * own (after a full GC when the process runs with --expose-gc).
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as v8 from "node:v8";

const dir = process.env.BENCH_HEAP_DIR;
const argv = process.argv.join(" ");
const role = /cmd\/run/.test(argv) ? "program" : /cmd\/dynamic-provider/.test(argv) ? "provider-host" : undefined;

interface Mark {
  label: string;
  atMs: number;
  heapUsedMb: number;
  rssMb: number;
  externalMb: number;
  objects?: number;
}

if (dir && role) {
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
  const peak = { rssMb: 0, heapUsedMb: 0, heapTotalMb: 0, externalMb: 0, arrayBuffersMb: 0 };
  const marks: Mark[] = [];
  const snapshot = process.env.BENCH_HEAP_SNAPSHOT ?? "";
  const peakAt = /^peak-(\d+)$/.exec(snapshot) ? Number(/^peak-(\d+)$/.exec(snapshot)![1]) : undefined;
  let peakTaken = false;
  const liveAt = /^live-(\d+)$/.exec(snapshot) ? Number(/^live-(\d+)$/.exec(snapshot)![1]) : undefined;
  let liveTaken = false;
  const series: Array<[number, number, number]> = [];
  let lastSeries = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    const now = Date.now() - started;
    if (now - lastSeries >= 250) {
      lastSeries = now;
      series.push([now, mb(m.heapUsed), mb(m.rss)]);
    }
    peak.rssMb = Math.max(peak.rssMb, mb(m.rss));
    peak.heapUsedMb = Math.max(peak.heapUsedMb, mb(m.heapUsed));
    peak.heapTotalMb = Math.max(peak.heapTotalMb, mb(m.heapTotal));
    peak.externalMb = Math.max(peak.externalMb, mb(m.external));
    peak.arrayBuffersMb = Math.max(peak.arrayBuffersMb, mb(m.arrayBuffers));
    if (peakAt !== undefined && !peakTaken && mb(m.heapUsed) >= peakAt) {
      peakTaken = true;
      v8.writeHeapSnapshot(join(dir, `${role}-${process.pid}-peak.heapsnapshot`));
    }
  };
  // After each full (mark-compact) GC, the heap used is about what was live: its largest value is the
  // live peak, which the sampled peak (live and garbage not yet collected) exceeds.
  let liveAfterGc = 0;
  let majorGcs = 0;
  const { PerformanceObserver, constants } = require("node:perf_hooks") as typeof import("node:perf_hooks");
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (((e as unknown as { detail?: { kind?: number } }).detail)?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      majorGcs++;
      const live = mb(process.memoryUsage().heapUsed);
      liveAfterGc = Math.max(liveAfterGc, live);
      if (liveAt !== undefined && !liveTaken && live >= liveAt) {
        liveTaken = true;
        setImmediate(() => v8.writeHeapSnapshot(join(dir, `${role}-${process.pid}-live.heapsnapshot`)));
      }
    }
  });
  obs.observe({ entryTypes: ["gc"] });
  const timer = setInterval(sample, 50);
  timer.unref();
  const gc = (globalThis as { gc?: () => void }).gc;
  const mark = (label: string): void => {
    sample();
    gc?.();
    const m = process.memoryUsage();
    marks.push({ label, atMs: Date.now() - started, heapUsedMb: mb(m.heapUsed), rssMb: mb(m.rss), externalMb: mb(m.external) });
  };
  (globalThis as { __benchHeapMark?: (label: string) => void }).__benchHeapMark = mark;
  let stopProfile: (() => void) | undefined;
  if (process.env.BENCH_CPU_PROF === "1") {
    const inspector = require("node:inspector") as typeof import("node:inspector");
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable", () => session.post("Profiler.start"));
    stopProfile = () =>
      session.post("Profiler.stop", (err, res) => {
        if (!err) writeFileSync(join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
      });
  }
  // The first `beforeExit` comes when the program has sent everything (Pulumi's runtime then asks
  // the engine to wait for its resources); the process lives on until they are done.
  let sent = false;
  process.on("beforeExit", () => {
    if (sent) return;
    sent = true;
    mark("sent");
    if (snapshot === "1") v8.writeHeapSnapshot(join(dir, `${role}-${process.pid}.heapsnapshot`));
  });
  process.on("exit", () => {
    stopProfile?.();
    mark("finished");
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
    writeFileSync(join(dir, `${role}-${process.pid}.json`), JSON.stringify({ role, pid: process.pid, argv: process.argv.slice(1, 3), wallMs: Date.now() - started, peak: { ...peak, liveAfterGcMb: liveAfterGc, majorGcs }, marks, spaces, series }, null, 1));
  });
}
