/**
 * The benchmark's years-of-offboarding cases (issue 23), with the real CLI against the simulator:
 *
 * - `cli-kept:N` (default N = 2,000): the un-archived alternative. The stack keeps N finished
 *   `UserRemoval` records and the file lists all N (one real record from a real `up`, cloned with
 *   new names, ids and URNs, `pulumi stack import`); the portal has those accounts removed and
 *   2,000 live ones.
 * - `cli-archived:N` (default N = 10,000): a team that has offboarded N people, held the way the
 *   docs say. The ledger next to the file holds N step lines, written by the real `archive`
 *   command (`pulumi-docspace archive --state <export>`, in weekly-sized runs) from cloned
 *   records; the file and the stack hold only what is in progress (dated removals, disabled now).
 *
 * For each: the daily scheduled run with nothing due (examples/ci: `pulumi preview`, then
 * `pulumi up`) and adding one person (`pulumi preview`, then `pulumi up`), each with its wall
 * time, the peak memory of every process and the requests; beside it, a bare program of the same
 * number of resources (a dynamic provider whose create returns its inputs) through the same runs.
 * With BENCH_HEAP=1 the program and provider host processes also report their V8 heap
 * (tools/heap-probe.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CliStack, type CliBenchOptions, type Line, type StackDeployment } from "./bench-cli";
import { describeCpu, describePeaks, type ProcessPeaks } from "./bench-procs";
import { runHistory } from "../provider/cli/history-commands";
import type { LoggedRequest } from "../simulator/server";

/** Requests that name any of `people` (ids or emails) in their path, query or body. */
function requestsAbout(log: LoggedRequest[], people: ReadonlySet<string>): number {
  return log.filter((r) => {
    const text = `${r.path} ${r.query} ${r.body === undefined ? "" : JSON.stringify(r.body)}`.toLowerCase();
    for (const m of text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9._%+-]+@[a-z0-9.-]+/g)) if (people.has(m[0])) return true;
    return false;
  }).length;
}

type Record_ = StackDeployment["deployment"]["resources"][number];

/** How many live accounts the portal has besides the history (the issue's measurement). */
const LIVE_ACCOUNTS = 2000;
/** Entries in progress in the archived case: dated removals, disabled now, due in a year. */
const IN_PROGRESS = 10;
/** Entries per archive run when building the ledger (a week of a large team). */
const ARCHIVE_BATCH = Number(process.env.BENCH_ARCHIVE_BATCH ?? 250);

/** BENCH_PROFILE=1: only the daily run's preview, ours and bare (with BENCH_HEAP=1, for heap snapshots). */
const PROFILE = process.env.BENCH_PROFILE === "1";

const RUNS = [
  ["dailyPreview", "daily run, nothing due: pulumi preview"],
  ["dailyUp", "daily run, nothing due: pulumi up"],
  ["addPreview", "one person added: pulumi preview"],
  ["addUp", "one person added: pulumi up"],
] as const;

interface Measured {
  wallMs: number;
  requests: number;
  routes: string;
  peaks: ProcessPeaks;
  code: number | null;
  heap?: HeapReport[];
  out: string;
  log: LoggedRequest[];
}

interface HeapReport {
  role: string;
  pid: number;
  peak: { rssMb: number; heapUsedMb: number; externalMb: number; liveAfterGcMb: number; majorGcs: number };
  marks: Array<{ label: string; heapUsedMb: number; rssMb: number }>;
}

/** The environment that loads tools/heap-probe.ts into the program and provider host (BENCH_HEAP=1). */
function heapEnv(dir: string, bare = false): NodeJS.ProcessEnv {
  if (process.env.BENCH_HEAP !== "1") return {};
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${join(__dirname, "heap-probe.js")} --expose-gc`.trim(),
    BENCH_HEAP_DIR: dir,
    BENCH_HEAP_SNAPSHOT: (bare ? process.env.BENCH_HEAP_SNAPSHOT_BARE : undefined) ?? process.env.BENCH_HEAP_SNAPSHOT ?? "",
  };
}

/** A stack and what the heap probe writes for it. */
class Bench {
  readonly heapDir: string;
  readonly stack: CliStack;
  constructor(root: string, scale: number, bare = false) {
    this.heapDir = mkdtempSync(join(tmpdir(), "docspace-bench-heap-"));
    this.stack = new CliStack(root, scale, heapEnv(this.heapDir, bare));
  }

  async run(args: string[]): Promise<Measured> {
    for (const f of readdirSync(this.heapDir)) if (f.endsWith(".json")) rmSync(join(this.heapDir, f));
    const r = await this.stack.measure(args);
    const heap = readdirSync(this.heapDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(this.heapDir, f), "utf8")) as HeapReport);
    return { wallMs: r.wallMs, requests: r.requests, routes: r.routes, peaks: r.peaks, code: r.code, heap: heap.length > 0 ? heap : undefined, out: r.out, log: r.log };
  }

  async stop(): Promise<void> {
    await this.stack.stop();
    if (!process.env.BENCH_HEAP_KEEP) rmSync(this.heapDir, { recursive: true, force: true });
    else console.log(`heap reports kept in ${this.heapDir}`);
  }
}

function heapNote(m: Measured): string {
  if (!m.heap) return "";
  return m.heap
    .filter((h) => h.role === "program")
    .map((h) => `program heap: peak used ${h.peak.heapUsedMb.toFixed(0)} MB, largest after a full GC ${h.peak.liveAfterGcMb.toFixed(0)} MB (${h.peak.majorGcs} full GCs), at the end ${h.marks.find((x) => x.label === "finished")?.heapUsedMb.toFixed(0) ?? "?"} MB`)
    .join("; ");
}

function report(line: Line, label: string, m: Measured): void {
  const heap = heapNote(m);
  line(label, `${(m.wallMs / 1000).toFixed(1)} s`, `(${m.code === 0 ? "" : `exit ${m.code}; `}peak MB: ${describePeaks(m.peaks)}; ${describeCpu(m.peaks)}; ${m.requests} requests${m.requests ? `: ${m.routes}` : ""}${heap ? `; ${heap}` : ""})`);
}

/** The name part of a URN replaced. */
function renamed(urn: string, name: string): string {
  return urn.slice(0, urn.lastIndexOf("::") + 2) + name;
}

/** A finished UserRemoval record cloned for another (removed) account of the same portal. */
function cloneRemoval(template: Record_, email: string, userId: string, at: Date): Record_ {
  const outputs = template.outputs as Record<string, unknown>;
  const oldId = String(outputs.userId);
  const started = new Date(at.getTime() - 3000).toISOString();
  return {
    ...template,
    urn: renamed(template.urn, email),
    id: userId,
    inputs: { ...(template.inputs as object), email },
    outputs: {
      ...outputs,
      email,
      userId,
      displayName: `Done ${email.split("@")[0]}`,
      taskId: String(outputs.taskId).split(oldId).join(userId),
      evidence: String(outputs.evidence).split(oldId).join(userId),
      startedAt: started,
      completedAt: at.toISOString(),
    },
  };
}

/** Adds `n` removed accounts to the portal and returns their cloned records (finished over the last `n` days' worth of minutes). */
function removedHistory(s: CliStack, template: Record_, n: number, prefix: string): Array<{ entry: string; record: Record_ }> {
  const out: Array<{ entry: string; record: Record_ }> = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const u = s.sim.portal.addUser({ email: `${prefix}${i}@example.com` });
    u.removed = true;
    out.push({ entry: `  - email: ${u.email}`, record: cloneRemoval(template, u.email, u.id, new Date(now - (n - i) * 60_000)) });
  }
  return out;
}

/** The checkpoint's size as `pulumi stack export` prints it, and how many resources it holds. */
async function stateSize(s: CliStack): Promise<{ bytes: number; resources: number }> {
  const state = await s.exportState();
  return { bytes: Buffer.byteLength(JSON.stringify(state)), resources: state.deployment.resources.length };
}

function withResources(state: StackDeployment, resources: Record_[]): StackDeployment {
  return { ...state, deployment: { ...state.deployment, resources } };
}

function addLive(s: CliStack, n: number): void {
  for (let i = 0; i < n; i++) s.sim.portal.addUser({ email: `live.${i}@example.com` });
}

/** A bare Pulumi project: `count` trivial dynamic resources (create returns the inputs), nothing else. */
function bareProject(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), "docspace-bench-bare-"));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: bench-bare\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
  writeFileSync(
    join(dir, "index.js"),
    [
      `const pulumi = require("@pulumi/pulumi");`,
      `const provider = { async create(inputs) { return { id: inputs.value, outs: inputs }; } };`,
      `const n = Number(new pulumi.Config("bare").require("count"));`,
      `for (let i = 0; i < n; i++) new pulumi.dynamic.Resource(provider, "thing-" + i, { value: "thing-" + i }, undefined, "bare", "Thing");`,
      "",
    ].join("\n"),
  );
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** The bare program beside ours: `n` resources in its stack (cloned from a real `up` of one), then the same runs. */
async function bareRuns(opts: CliBenchOptions, n: number, label: string): Promise<Record<string, Measured>> {
  const dir = bareProject(opts.root);
  const b = new Bench(dir, opts.scale, true);
  const s = b.stack;
  try {
    await s.start(1);
    await s.pulumi(["config", "set", "bare:count", "1"]);
    const seed = await s.measure(["up", "--yes"]);
    if (seed.code !== 0) throw new Error(`bare seed up failed: ${seed.out.slice(-2000)}`);
    const state = await s.exportState();
    const template = state.deployment.resources.find((r) => r.type.endsWith("bare:Thing"))!;
    const others = state.deployment.resources.filter((r) => r !== template);
    const things = Array.from({ length: n }, (_, i) => {
      const name = `thing-${i}`;
      return { ...template, urn: renamed(template.urn, name), id: name, inputs: { ...(template.inputs as object), value: name }, outputs: { ...(template.outputs as object), value: name } };
    });
    await s.importState(withResources(state, [...others, ...things]));
    await s.pulumi(["config", "set", "bare:count", String(n)]);
    const out: Record<string, Measured> = {};
    out.dailyPreview = await b.run(["preview"]);
    if (!PROFILE) {
      out.dailyUp = await b.run(["up", "--yes"]);
      await s.pulumi(["config", "set", "bare:count", String(n + 1)]);
      out.addPreview = await b.run(["preview"]);
      out.addUp = await b.run(["up", "--yes"]);
    }
    for (const [k, what] of RUNS) if (out[k]) report(opts.line, `  bare, ${label}: ${what}`, out[k]!);
    const st = await stateSize(s);
    opts.line(`  bare, ${label}: the checkpoint`, `${(st.bytes / 1048576).toFixed(1)} MB`, `(${st.resources} resources, ${(st.bytes / st.resources).toFixed(0)} bytes each)`);
    return out;
  } finally {
    await b.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The daily run and adding one person, on our stack as it is. */
async function ourRuns(b: Bench, line: Line, label: string): Promise<Record<string, Measured>> {
  const s = b.stack;
  const out: Record<string, Measured> = {};
  out.dailyPreview = await b.run(["preview"]);
  if (PROFILE) {
    report(line, `  ours, ${label}: daily run, nothing due: pulumi preview`, out.dailyPreview);
    return out;
  }
  out.dailyUp = await b.run(["up", "--yes"]);
  const u = s.sim.portal.addUser({ email: "added.0@example.com" });
  s.entries.push(`  - email: ${u.email}`);
  s.writeFile();
  out.addPreview = await b.run(["preview"]);
  out.addUp = await b.run(["up", "--yes"]);
  if (!s.sim.portal.users.get(u.id)?.removed) throw new Error(`${label}: the added person was not removed`);
  for (const [k, what] of RUNS) if (out[k]) report(line, `  ours, ${label}: ${what}`, out[k]!);
  const st = await stateSize(s);
  line(`  ours, ${label}: the checkpoint`, `${(st.bytes / 1048576).toFixed(1)} MB`, `(${st.resources} resources, ${(st.bytes / st.resources).toFixed(0)} bytes each)`);
  return out;
}

function summary(line: Line, label: string, n: number, ours: Record<string, Measured>, bare: Record<string, Measured>, perResourceOf: number): void {
  if (!PROFILE) runSummary(line, label, ours, bare);
  if (perResourceOf > 0) {
    // The program process's peak (the larger of an up's two), ours minus bare, per resource: for each run.
    const perKb = RUNS.filter(([k]) => ours[k] && bare[k]).map(([k]) => {
      const o = ours[k]!.peaks.byRole.program.peakMb;
      const b = bare[k]!.peaks.byRole.program.peakMb;
      return { k, o, b, kb: ((o - b) * 1024) / perResourceOf };
    });
    const worst = Math.max(...perKb.map((p) => p.kb));
    line(
      `${label}: the program process's peak above bare, per resource`,
      `${worst.toFixed(0)} KB`,
      `(the largest of ${perKb.map((p) => `${p.k} ${p.kb.toFixed(0)} KB (${p.o.toFixed(0)} vs ${p.b.toFixed(0)} MB)`).join(", ")}; ${perResourceOf} resources each; target <= 50 KB)`,
    );
  }
  if (perResourceOf === 0) {
    const diffs = RUNS.filter(([k]) => ours[k] && bare[k]).map(([k]) => `${k} ${(ours[k]!.peaks.byRole.program.peakMb - bare[k]!.peaks.byRole.program.peakMb).toFixed(0)}`);
    line(`${label}: the program process's peak above bare`, "", `(MB: ${diffs.join(", ")}; mostly the ledger of ${n} erasures, read and checked whole by every run)`);
  }
}

function runSummary(line: Line, label: string, ours: Record<string, Measured>, bare: Record<string, Measured>): void {
  const total = (r: Record<string, Measured>, a: string, b: string): number => r[a]!.wallMs + r[b]!.wallMs;
  const peak = (r: Record<string, Measured>, a: string, b: string): number => Math.max(r[a]!.peaks.totalPeakMb, r[b]!.peaks.totalPeakMb);
  const daily = total(ours, "dailyPreview", "dailyUp");
  const add = total(ours, "addPreview", "addUp");
  line(
    `${label}: daily run, nothing due (preview + up)`,
    `${(daily / 1000).toFixed(1)} s, ${peak(ours, "dailyPreview", "dailyUp").toFixed(0)} MB`,
    `(bare ${(total(bare, "dailyPreview", "dailyUp") / 1000).toFixed(1)} s, ${peak(bare, "dailyPreview", "dailyUp").toFixed(0)} MB; requests ${ours.dailyPreview!.requests} + ${ours.dailyUp!.requests}; target <= 60 s, <= 1 GB)`,
  );
  line(
    `${label}: one person added (preview + up)`,
    `${(add / 1000).toFixed(1)} s, ${peak(ours, "addPreview", "addUp").toFixed(0)} MB`,
    `(bare ${(total(bare, "addPreview", "addUp") / 1000).toFixed(1)} s, ${peak(bare, "addPreview", "addUp").toFixed(0)} MB; requests ${ours.addPreview!.requests} + ${ours.addUp!.requests}; target <= 90 s)`,
  );
}

/** The un-archived alternative: `n` finished removals kept in the stack and listed in the file. */
export async function cliKept(opts: CliBenchOptions, n = 2000): Promise<void> {
  const label = `${n} finished kept in the stack (un-archived)`;
  const b = new Bench(opts.root, opts.scale);
  const s = b.stack;
  const started = performance.now();
  let ours: Record<string, Measured>;
  try {
    await s.start(n + 1);
    s.addPeople(3, "seed.");
    const seed = await s.measure(["up", "--yes"]);
    if (seed.code !== 0) throw new Error(`seed up failed: ${seed.out.slice(-2000)}`);
    const state = await s.exportState();
    const template = state.deployment.resources.find((r) => r.type.endsWith("docspace:UserRemoval"))!;
    const history = removedHistory(s, template, n - 3, "done.");
    s.entries.push(...history.map((h) => h.entry));
    s.writeFile();
    await s.importState(withResources(state, [...state.deployment.resources, ...history.map((h) => h.record)]));
    addLive(s, LIVE_ACCOUNTS);
    opts.line(`${label}: history synthesized`, `${((performance.now() - started) / 1000).toFixed(0)} s`, `(${n} records, ${LIVE_ACCOUNTS} live accounts)`);
    ours = await ourRuns(b, opts.line, label);
  } finally {
    await b.stop();
  }
  const bare = await bareRuns(opts, n, `${n} resources`);
  summary(opts.line, label, n, ours, bare, n);
}

/**
 * A team that has offboarded `n` people, held the way the docs say: the ledger holds them (the
 * real archive command wrote it, a batch at a time), the file and the stack what is in progress.
 */
export async function cliArchived(opts: CliBenchOptions, n = 10_000): Promise<void> {
  const label = `${n} offboarded, archived`;
  const b = new Bench(opts.root, opts.scale);
  const s = b.stack;
  const started = performance.now();
  let ours: Record<string, Measured>;
  try {
    await s.start(50);
    // What is in progress: dated removals, disabled now, due in a year.
    const due = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const pending: string[] = [];
    for (let i = 0; i < IN_PROGRESS; i++) pending.push(`  - email: ${s.sim.portal.addUser({ email: `leaving.${i}@example.com` }).email}\n    removeAfter: ${due}`);
    s.entries.push(...pending);
    s.addPeople(3, "seed.");
    const seed = await s.measure(["up", "--yes"]);
    if (seed.code !== 0) throw new Error(`seed up failed: ${seed.out.slice(-2000)}`);
    const state = await s.exportState();
    const resources = state.deployment.resources;
    const template = resources.find((r) => r.type.endsWith("docspace:UserRemoval"))!;
    const seeds = resources.filter((r) => r.type.endsWith("docspace:UserRemoval"));
    const keep = resources.filter((r) => !r.type.endsWith("docspace:UserRemoval"));
    const history = removedHistory(s, template, n - seeds.length, "done.");
    // The real archive command, a batch at a time; the first batch takes the three real records too.
    const seedEntries = s.entries.filter((e) => e.startsWith("  - email: seed."));
    const exportPath = join(s.dir, "export.json");
    let last: Record_[] = [];
    const archivedPeople = new Set<string>();
    for (const r of [...seeds, ...history.map((h) => h.record)]) {
      const o = r.outputs as { userId?: string; email?: string };
      if (o.userId) archivedPeople.add(o.userId.toLowerCase());
      if (o.email) archivedPeople.add(o.email.toLowerCase());
    }
    for (let from = 0; from < history.length; from += ARCHIVE_BATCH) {
      const batch = history.slice(from, from + ARCHIVE_BATCH);
      const records = [...(from === 0 ? seeds : []), ...batch.map((h) => h.record)];
      s.entries = [...pending, ...(from === 0 ? seedEntries : []), ...batch.map((h) => h.entry)];
      s.writeFile();
      writeFileSync(exportPath, JSON.stringify(withResources(state, [...keep, ...records])));
      let err = "";
      const code = await runHistory(["archive", "--state", exportPath, "--file", s.file], { stdout: () => undefined, stderr: (t) => void (err += t), env: process.env, cwd: s.dir });
      if (code !== 0) throw new Error(`archive failed (${code}): ${err}`);
      last = records;
    }
    // The file now lists what is in progress only (archive took the rest out).
    s.entries = [...pending];
    const listed = (readFileSync(s.file, "utf8").match(/^\s*- email:/gm) ?? []).length;
    if (listed !== pending.length) throw new Error(`${label}: after archiving, the file lists ${listed} entries, not the ${pending.length} in progress`);
    const ledger = readFileSync(s.file.replace(/\.yaml$/, ".ledger.jsonl"), "utf8");
    const lines = ledger.split("\n").filter(Boolean);
    opts.line(
      `${label}: ledger written by pulumi-docspace archive`,
      `${lines.filter((l) => l.includes('"kind":"step"')).length} step lines`,
      `(${lines.length} lines, ${(ledger.length / 1048576).toFixed(1)} MB, ${Math.ceil(history.length / ARCHIVE_BATCH)} archive runs; file: ${s.entries.length} entries in progress)`,
    );
    // The stack as the last archive left it: what is in progress, and the last batch's records, which the next `up` drops.
    await s.importState(withResources(state, [...keep, ...last]));
    addLive(s, LIVE_ACCOUNTS);
    opts.line(`${label}: history synthesized`, `${((performance.now() - started) / 1000).toFixed(0)} s`, `(${LIVE_ACCOUNTS} live accounts, ${n} removed)`);
    const drop = await b.run(["up", "--yes"]);
    const about = requestsAbout(drop.log, archivedPeople);
    report(opts.line, `  ours, ${label}: the up after the last archive (drops ${last.length} records; ${about} requests about archived people)`, drop);
    if (drop.code !== 0 || about > 0) throw new Error(`${label}: the up that drops archived records failed or made ${about} requests about them`);
    ours = await ourRuns(b, opts.line, label);
    const aboutLater = Object.values(ours).reduce((n, m) => n + requestsAbout(m.log, archivedPeople), 0);
    opts.line(`${label}: requests about archived people in the runs after`, String(aboutLater), "(target 0)");
  } finally {
    await b.stop();
  }
  const inStack = IN_PROGRESS;
  const bare = await bareRuns(opts, inStack, `${inStack} resources (what the stack holds)`);
  summary(opts.line, label, n, ours, bare, 0);
}
