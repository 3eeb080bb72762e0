/**
 * The real-CLI part of `npm run bench`, with a local backend against the simulator at DocSpace's
 * default limits (clock scaled like the rest of the benchmark). Skipped, saying so, when `pulumi`
 * is not on PATH (`npm run cli`).
 *
 * - first: `pulumi up` (preview + update) of 200 removals at the engine's default parallelism:
 *   requests per account, wall time against the sum of the task times (DocSpace runs one task
 *   at a time per queue, so that is the floor), bytes per
 *   UserRemoval in `pulumi stack export`, peak memory of the CLI and its hosts.
 * - history N: a stack that has finished N removals, then one entry added to the file: the
 *   requests of `pulumi preview` and of `pulumi up`, by route; then the daily scheduled run with
 *   nothing due (the CI example's `pulumi preview` then `pulumi up`, file unchanged).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DocSpaceSimulator, ownerApiKey, type LoggedRequest } from "../simulator/server";
import { ProcessSampler, type ProcessPeaks } from "./bench-procs";

export type Line = (label: string, value: string, note?: string) => void;

/** What `pulumi stack export` prints (the parts the benchmark touches). */
export interface StackDeployment {
  version: number;
  deployment: { resources: Array<Record<string, unknown> & { urn: string; type: string }> } & Record<string, unknown>;
}

export interface CliBenchOptions {
  scale: number;
  root: string;
  line: Line;
}

const PER_WINDOW = 1500;
/** The issue's yardstick for a first run: 5 requests per account within DocSpace's rate limit. */
const YARDSTICK_REQUESTS_PER_ACCOUNT = 5;

export function pulumiOnPath(line: Line): boolean {
  if (spawnSync("pulumi", ["version"], { stdio: "ignore" }).status === 0) return true;
  line("Real CLI figures", "skipped", "(pulumi is not on PATH: `export PATH=\"$(npm run -s cli | tail -n 1):$PATH\"`)");
  return false;
}

/** "GET people/email 802, GET people/filter 812" for a slice of the simulator's log. */
export function byRoute(log: Array<{ method: string; route: string }>): string {
  const m = new Map<string, number>();
  for (const r of log) m.set(`${r.method} ${r.route}`, (m.get(`${r.method} ${r.route}`) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
}

interface RunOutcome {
  code: number | null;
  out: string;
  requests: number;
  routes: string;
  throttled: number;
  wallMs: number;
  /** The largest sum of the command's processes' resident memory at one moment. */
  peakKb: number;
  /** Each process's own peak, by role. */
  peaks: ProcessPeaks;
  /** The requests themselves. */
  log: LoggedRequest[];
}

/** The most tasks in the portal's queues (waiting or running) at one moment: 1 when a run never makes a task wait there. */
function maxConcurrentTasks(sim: DocSpaceSimulator): number {
  const edges = sim.portal.startedTasks.flatMap((t) => [
    { at: t.enqueuedAt, d: 1 },
    { at: t.finishedAt ?? Infinity, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

/** One stack on a local backend, against one simulator, driven by the real CLI. */
export class CliStack {
  readonly sim: DocSpaceSimulator;
  readonly windowMs: number;
  readonly dir = mkdtempSync(join(tmpdir(), "docspace-bench-cli-"));
  readonly file = join(this.dir, "offboarding.yaml");
  readonly stack = `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly env: NodeJS.ProcessEnv;
  /** The file's entries, one YAML list item each (lines joined by newlines). */
  entries: string[] = [];
  url = "";

  constructor(
    private readonly root: string,
    scale: number,
    extraEnv: NodeJS.ProcessEnv = {},
  ) {
    this.windowMs = 60_000 / scale;
    this.sim = new DocSpaceSimulator({ latencyMs: 40 / scale, taskDurationMs: [2000 / scale, 5000 / scale], rateLimits: { requestsPerWindow: PER_WINDOW, windowMs: this.windowMs } });
    this.env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${this.dir}`,
      PULUMI_CONFIG_PASSPHRASE: "bench",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      DOCSPACE_POLL_MIN_MS: String(1000 / scale),
      DOCSPACE_POLL_MAX_MS: String(10_000 / scale),
      ...extraEnv,
    };
  }

  pulumi(args: string[], input?: string, watch?: (pid: number) => void): Promise<{ code: number | null; out: string; stdout: string }> {
    return new Promise((resolve) => {
      const child = spawn("pulumi", [...args, "--cwd", this.root, "--stack", this.stack, "--non-interactive"], { env: this.env, stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => ((out += d.toString()), (stdout += d.toString())));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.stdin.end(input ?? "");
      if (watch && child.pid) watch(child.pid);
      child.on("close", (code) => resolve({ code, out, stdout }));
    });
  }

  async start(maxRemovalsPerRun: number): Promise<void> {
    this.url = await this.sim.start();
    const init = await this.pulumi(["stack", "init"]);
    if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.out}`);
    for (const [k, v] of [
      ["docspace:url", this.url],
      ["docspace:offboardingFile", this.file],
      ["docspace:maxRemovalsPerRun", String(maxRemovalsPerRun)],
      ["docspace:requestsPerMinute", String(PER_WINDOW)],
      ["docspace:rateWindowMs", String(this.windowMs)],
    ] as const) await this.pulumi(["config", "set", k, v]);
    await this.pulumi(["config", "set", "--secret", "docspace:apiKey"], ownerApiKey());
  }

  /** Adds `n` people to the portal and to the file. */
  addPeople(n: number, prefix: string): void {
    for (let i = 0; i < n; i++) this.entries.push(`  - email: ${this.sim.portal.addUser({ email: `${prefix}${i}@example.com` }).email}`);
    this.writeFile();
  }

  /** Writes the file from `entries`. */
  writeFile(): void {
    writeFileSync(this.file, ["version: 1", this.entries.length === 0 ? "removals: []" : "removals:", ...this.entries].join("\n") + "\n");
  }

  /** `pulumi stack export`, parsed. */
  async exportState(): Promise<StackDeployment> {
    const r = await this.pulumi(["stack", "export"]);
    if (r.code !== 0) throw new Error(`pulumi stack export failed: ${r.out.slice(-2000)}`);
    return JSON.parse(r.stdout) as StackDeployment;
  }

  /** `pulumi stack import` of a deployment (e.g. a synthesized history). */
  async importState(state: StackDeployment): Promise<void> {
    const path = join(this.dir, "import.json");
    writeFileSync(path, JSON.stringify(state));
    const r = await this.pulumi(["stack", "import", "--file", path]);
    rmSync(path, { force: true });
    if (r.code !== 0) throw new Error(`pulumi stack import failed: ${r.out.slice(-2000)}`);
  }

  /** Runs one CLI command and counts what it cost the portal. */
  async measure(args: string[]): Promise<RunOutcome> {
    const mark = this.sim.log.length;
    let sampler: ProcessSampler | undefined;
    const started = performance.now();
    const r = await this.pulumi(args, undefined, (pid) => {
      sampler = new ProcessSampler(pid);
    });
    const wallMs = performance.now() - started;
    const peaks = sampler!.stop();
    const log = this.sim.log.slice(mark);
    if (r.code !== 0) console.error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.out.slice(-3000)}`);
    return { code: r.code, out: r.out, requests: log.length, routes: byRoute(log), throttled: log.filter((x) => x.status === 429).length, wallMs, peakKb: peaks.totalPeakMb * 1024, peaks, log };
  }

  /** Bytes per UserRemoval in `pulumi stack export`, and the largest parts of one. */
  async exportedBytes(): Promise<{ perRecord: number; parts: string }> {
    const exported = JSON.parse((await this.pulumi(["stack", "export"])).stdout) as { deployment: { resources: Array<Record<string, unknown> & { type: string }> } };
    const records = exported.deployment.resources.filter((r) => r.type.endsWith("docspace:UserRemoval"));
    const size = (v: unknown): number => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));
    const perRecord = records.reduce((n, r) => n + size(r), 0) / Math.max(1, records.length);
    const one = records[0];
    if (!one) return { perRecord, parts: "" };
    if (process.env.BENCH_SHOW_RECORD) console.log(JSON.stringify(one, null, 1));
    const inputs = one.inputs as Record<string, unknown> | undefined;
    const outputs = one.outputs as Record<string, unknown> | undefined;
    const parts = [
      `__provider ${size(inputs?.__provider)} in inputs + ${size(outputs?.__provider)} in outputs`,
      `other inputs ${size({ ...inputs, __provider: undefined })}`,
      `other outputs ${size({ ...outputs, __provider: undefined })}`,
      `stackTrace ${size(one.stackTrace)}`,
      `sourcePosition ${size(one.sourcePosition)}`,
    ].join(", ");
    return { perRecord, parts };
  }

  removed(): number {
    return [...this.sim.portal.users.values()].filter((u) => u.removed).length;
  }

  async stop(): Promise<void> {
    await this.pulumi(["stack", "rm", "--yes", "--force"]);
    rmSync(this.dir, { recursive: true, force: true });
    await this.sim.stop();
  }
}

/**
 * `pulumi up` of 200 removals on a new stack, with the engine's parallelism as given (default: its
 * own, 4 × CPUs; examples/ci sets PULUMI_PARALLEL=32). Each create follows its task to the
 * portal's proof, so the engine's parallelism bounds how many removals run at once.
 */
export async function cliFirstUp({ scale, root, line }: CliBenchOptions, accounts = 200, parallel?: number): Promise<void> {
  const s = new CliStack(root, scale, parallel === undefined ? { PULUMI_PARALLEL: "" } : { PULUMI_PARALLEL: String(parallel) });
  const how = parallel === undefined ? `engine's default parallelism, 4 x ${availableParallelism()} CPUs` : `PULUMI_PARALLEL=${parallel}`;
  try {
    await s.start(accounts);
    s.addPeople(accounts, "cli.bench");
    const up = await s.measure(["up", "--yes"]);
    // DocSpace runs one task at a time per queue, so N removals take at least the sum of their
    // task times (or the rate limit's bound for their requests, if that is longer).
    const taskSum = s.sim.portal.startedTasks.reduce((n, t) => n + t.durationMs, 0);
    const yardstick = Math.max(((YARDSTICK_REQUESTS_PER_ACCOUNT * accounts) / PER_WINDOW) * s.windowMs, taskSum);
    const { perRecord, parts } = await s.exportedBytes();
    line(`Real CLI: pulumi up (preview + update), ${accounts} removals, ${how}`, up.code === 0 ? "ok" : `exit ${up.code}`, `(${s.removed()} removed, ${s.sim.portal.startedTasks.length} tasks started)`);
    line("Real CLI: requests per removed account, first pulumi up", (up.requests / accounts).toFixed(2), `(${up.requests} requests incl. preview and both program runs, ${up.throttled} answered 429; target <= 6)`);
    line("  by route", "", up.routes);
    line(
      `Real CLI: wall time / the sum of the task times (DocSpace runs one task at a time per queue)`,
      (up.wallMs / yardstick).toFixed(2),
      `(${(up.wallMs / 1000).toFixed(1)} s vs ${(yardstick / 1000).toFixed(1)} s of tasks at BENCH_SCALE=${scale}; most tasks queued or running at the portal at once: ${maxConcurrentTasks(s.sim)})`,
    );
    line("Real CLI: bytes per UserRemoval in pulumi stack export", perRecord.toFixed(0), `(target <= 2,500; one record: ${parts})`);
    line("Real CLI: peak memory, CLI + language host + provider host", `${(up.peakKb / 1024).toFixed(0)} MB`);
  } finally {
    await s.stop();
  }
}

/** A stack that has finished `finished` removals; one entry added; then a run with nothing due. */
export async function cliHistory({ scale, root, line }: CliBenchOptions, finished: number): Promise<void> {
  const s = new CliStack(root, scale);
  try {
    await s.start(finished + 1);
    s.addPeople(finished, "done.");
    const seed = await s.measure(["up", "--yes"]);
    if (seed.code !== 0 || s.removed() !== finished) throw new Error(`history ${finished}: the first pulumi up removed ${s.removed()} of ${finished}`);
    line(`Real CLI history, ${finished} finished: the run that finished them`, `${(seed.requests / finished).toFixed(2)} per account`, `(${seed.requests} requests, ${(seed.wallMs / 1000).toFixed(0)} s)`);
    s.addPeople(1, "added.");
    const preview = await s.measure(["preview"]);
    line(`Real CLI history, ${finished} finished + 1 added: pulumi preview requests`, String(preview.requests), `(target <= 20; ${preview.routes})`);
    const up = await s.measure(["up", "--yes"]);
    line(`Real CLI history, ${finished} finished + 1 added: pulumi up requests`, String(up.requests), `(target <= 40, preview and update; ${up.routes})`);
    if (s.removed() !== finished + 1) throw new Error(`history ${finished}: the added entry was not removed (${s.removed()} removed)`);
    // The daily scheduled run of examples/ci with nothing due: its preview, then its up.
    const idlePreview = await s.measure(["preview"]);
    const idleUp = await s.measure(["up", "--yes"]);
    line(
      `Real CLI history, ${finished + 1} finished, nothing due: scheduled run requests`,
      String(idlePreview.requests + idleUp.requests),
      `(target <= 20; preview ${idlePreview.requests}: ${idlePreview.routes}; up ${idleUp.requests}: ${idleUp.routes})`,
    );
    line(`Real CLI history, ${finished + 1} finished: peak memory of CLI + hosts, scheduled up`, `${(idleUp.peakKb / 1024).toFixed(0)} MB`, `(${(idleUp.wallMs / 1000).toFixed(1)} s)`);
  } finally {
    await s.stop();
  }
}

/** Everything real-CLI at the default sizes (`npm run bench` without BENCH_ONLY). */
export async function realCliFigures(options: CliBenchOptions): Promise<void> {
  if (!pulumiOnPath(options.line)) return;
  await cliFirstUp(options);
  await cliFirstUp(options, 200, 32);
  for (const n of [200, 1000]) await cliHistory(options, n);
}
