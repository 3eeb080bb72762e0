/**
 * `npm run bench`: performance figures against the simulator, one line per figure (issue 17's
 * table: see selectedCases for running one case at a time).
 * Not part of `npm test`: these machines are shared and noisy.
 *
 * Realistic portal: 40 ms a request, tasks of 2 to 5 s, DocSpace's default limits (1500 requests
 * a minute, 15 concurrent writes). The clock is scaled by SCALE (latency, task durations, the rate
 * window and the provider's poll pacing together) so the run takes minutes, not hours.
 */
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parse as yamlParse } from "yaml";
import { parseOffboardingFile } from "../provider/offboarding/parse";
import { defineOffboarding } from "../provider/program/offboarding-program";
import { DocSpaceSimulator, ownerApiKey } from "../simulator/server";
import { ProviderHost } from "./provider-host";
import { declareResources, up, type StackState } from "./lifecycle";
import { cliFirstUp, cliHistory, pulumiOnPath, realCliFigures } from "./bench-cli";
import { preflightFile } from "../provider/program/preflight";
import { cliArchived, cliKept } from "./bench-history";

const SCALE = Number(process.env.BENCH_SCALE ?? 10);
const LATENCY_MS = 40 / SCALE;
const TASK_MS: [number, number] = [2000 / SCALE, 5000 / SCALE];
const WINDOW_MS = 60_000 / SCALE;
const PER_WINDOW = 1500;
const ROOT = join(__dirname, "..", "..");

const ownerKey = ownerApiKey();

function line(label: string, value: string, note = ""): void {
  console.log(`${label.padEnd(58)} ${value}${note ? `   ${note}` : ""}`);
}

function peakRssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

interface RunResult {
  accounts: number;
  requests: number;
  wallMs: number;
  failed: number;
  peakMb: number;
  stateBytesPerResource: number;
  stateEntryBytes: number;
  throttled: number;
  /** The sum of the task times: DocSpace runs one task at a time per queue, so no run is faster. */
  taskSumMs: number;
  /** Requests per account by route, largest first. */
  byRoute: string;
}

async function run(accounts: number): Promise<RunResult> {
  const sim = new DocSpaceSimulator({ latencyMs: LATENCY_MS, taskDurationMs: TASK_MS, rateLimits: { requestsPerWindow: PER_WINDOW, windowMs: WINDOW_MS } });
  const url = await sim.start();
  const dir = mkdtempSync(join(tmpdir(), "docspace-bench-"));
  const file = join(dir, "offboarding.yaml");
  const lines = ["version: 1", "removals:"];
  for (let i = 0; i < accounts; i++) {
    const u = sim.portal.addUser({ email: `bench.user${i}@example.com` });
    lines.push(`  - email: ${u.email}`);
  }
  writeFileSync(file, lines.join("\n") + "\n");
  // The program looks at the whole file first; the figures below are the apply's own, counted after it.
  const { resources } = await declareResources(() => defineOffboarding({ file }), {
    timeoutMs: 120_000,
    config: { "docspace:url": url, "docspace:apiKey": ownerKey, "docspace:maxRemovalsPerRun": String(accounts) },
  });
  const looked = sim.log.length;
  const host = await ProviderHost.start({
    cwd: ROOT,
    env: { DOCSPACE_URL: "", DOCSPACE_API_KEY: "", DOCSPACE_POLL_MIN_MS: String(1000 / SCALE), DOCSPACE_POLL_MAX_MS: String(10_000 / SCALE) },
  });
  try {
    await host.configure({
      "docspace:url": url,
      "docspace:apiKey": ownerKey,
      "docspace:maxRemovalsPerRun": String(accounts),
      "docspace:requestsPerMinute": String(PER_WINDOW),
      "docspace:rateWindowMs": String(WINDOW_MS),
    });
    const state: StackState = new Map();
    const started = performance.now();
    const outcome = await up(host, resources, state);
    const wallMs = performance.now() - started;
    const log = sim.log.slice(looked);
    const peakMb = peakRssMb(host.pid);
    const entries = [...state.values()];
    const stateBytes = entries.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.outputs)), 0);
    return {
      accounts,
      requests: log.length,
      wallMs,
      failed: outcome.refused.length + outcome.steps.filter((s) => !s.ok || s.outputs?.status !== "Completed").length,
      peakMb,
      stateBytesPerResource: stateBytes / Math.max(1, entries.length),
      stateEntryBytes: entries.reduce((n, e) => n + Buffer.byteLength(JSON.stringify({ inputs: e.inputs, outputs: e.outputs })), 0) / Math.max(1, entries.length),
      throttled: log.filter((x) => x.status === 429).length,
      taskSumMs: sim.portal.startedTasks.reduce((n, t) => n + t.durationMs, 0),
      byRoute: Object.entries(
        log.reduce<Record<string, number>>((m, r) => {
          const k = `${r.method} ${r.route}`;
          m[k] = (m[k] ?? 0) + 1;
          return m;
        }, {}),
      )
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${(v / accounts).toFixed(2)}`)
        .join(", "),
    };
  } finally {
    await host.stop();
    await sim.stop();
  }
}

/**
 * The impact report's cost: the program's whole-file look (preflight.ts) over `n` planned removals,
 * without and with the impact reads; the difference per account is what the report adds.
 */
async function impactFigures(n: number): Promise<{ perAccount: number; byRoute: string; extraMs: number }> {
  const sim = new DocSpaceSimulator({ latencyMs: LATENCY_MS, rateLimits: { requestsPerWindow: PER_WINDOW, windowMs: WINDOW_MS } });
  const url = await sim.start();
  try {
    const lines = ["version: 1", "removals:"];
    for (let i = 0; i < n; i++) {
      const u = sim.portal.addUser({ email: `impact.user${i}@example.com`, usedSpace: 1_000_000 * i });
      if (i % 3 === 0) sim.portal.addRoom({ title: `Room ${i}`, ownerId: u.id });
      lines.push(`  - email: ${u.email}`);
    }
    const file = parseOffboardingFile(lines.join("\n") + "\n", "bench.yaml");
    const settings = { url, apiKey: ownerKey, requestsPerMinute: PER_WINDOW, rateWindowMs: WINDOW_MS };
    const day = new Date().toISOString().slice(0, 10);
    const t0 = performance.now();
    await preflightFile(file, settings, n, day, false, 0);
    const t1 = performance.now();
    const before = sim.log.length;
    const found = await preflightFile(file, settings, n, day, false, n);
    const t2 = performance.now();
    if (found.impacts?.impacts.length !== n) throw new Error(`impact bench: expected ${n} impacts, got ${found.impacts?.impacts.length ?? 0}`);
    const planOnly = before;
    const withImpact = sim.log.length - before;
    const routes = sim.log.slice(before).reduce<Record<string, number>>((m, r) => {
      m[`${r.method} ${r.route}`] = (m[`${r.method} ${r.route}`] ?? 0) + 1;
      return m;
    }, {});
    const planRoutes = sim.log.slice(0, before).reduce<Record<string, number>>((m, r) => {
      m[`${r.method} ${r.route}`] = (m[`${r.method} ${r.route}`] ?? 0) + 1;
      return m;
    }, {});
    const extra = Object.entries(routes)
      .map(([k, v]) => [k, (v - (planRoutes[k] ?? 0)) / n] as const)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(", ");
    return { perAccount: (withImpact - planOnly) / n, byRoute: extra, extraMs: t2 - t1 - (t1 - t0) };
  } finally {
    await sim.stop();
  }
}

function parseBench(): { ratio: number; oursMs: number; bareMs: number } {
  const text = ["version: 1", "removals:", ...Array.from({ length: 10_000 }, (_, i) => `  - email: person${i}@example.com\n    reason: "ticket HR-${i}"`)].join("\n");
  const time = (fn: () => unknown, rounds = 5): number => {
    fn(); // warm up
    const samples: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      fn();
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
  };
  const bareMs = time(() => yamlParse(text));
  const oursMs = time(() => parseOffboardingFile(text, "bench.yaml"));
  return { ratio: oursMs / bareMs, oursMs, bareMs };
}

/**
 * BENCH_ONLY runs some cases, comma-separated: `harness` (1, 100 and 1000 accounts) or `harness:N`
 * (a bare number N means the same), `parse`, `impact`, `cli` (all real-CLI cases), `cli-first`,
 * `cli-history` (200 and 1000) or `cli-history:N`, `cli-archived` (10,000 offboarded, held the
 * way the docs say: a ledger, a stack of what is in progress; about 2 minutes) or
 * `cli-archived:N`, `cli-kept` (2,000 finished records kept in the stack, the un-archived
 * alternative; about 5 minutes) or `cli-kept:N` (10,000 with BENCH_PROFILE=1, the daily preview
 * only, ours and bare: about 3 minutes, 2.8 GB of processes at once).
 * Each real-CLI history case runs a bare program of the same size beside it (tools/bench-history.ts).
 * Unset: everything.
 */
function selectedCases(): Array<{ name: string; n?: number }> {
  const only = process.env.BENCH_ONLY?.trim();
  if (!only) return [{ name: "harness" }, { name: "parse" }, { name: "impact" }, { name: "cli" }, { name: "cli-archived" }, { name: "cli-kept" }];
  return only.split(",").map((c) => {
    const [name, n] = c.trim().split(":");
    if (/^\d+$/.test(name!)) return { name: "harness", n: Number(name) };
    if (!["harness", "parse", "impact", "cli", "cli-first", "cli-history", "cli-kept", "cli-archived"].includes(name!)) throw new Error(`BENCH_ONLY: unknown case '${name}'`);
    return { name: name!, n: n === undefined ? undefined : Number(n) };
  });
}

async function harnessFigures(sizes: number[]): Promise<void> {
  const results: RunResult[] = [];
  for (const n of sizes) {
    const r = await run(n);
    results.push(r);
    line(`HTTP requests per removed account, ${n} account${n > 1 ? "s" : ""} (harness)`, (r.requests / n).toFixed(2), `(${r.requests} requests, ${r.throttled} answered 429, ${r.failed} failed; target <= 6)`);
  }
  const big = results[results.length - 1]!;
  line(`  of which, per account, by route (${big.accounts} accounts)`, "", big.byRoute);
  const lowerBoundMs = Math.max((big.requests / PER_WINDOW) * WINDOW_MS, big.taskSumMs);
  line(`Wall time, ${big.accounts} removals / the sum of their task times (harness)`, (big.wallMs / lowerBoundMs).toFixed(2), `(${(big.wallMs / 1000).toFixed(1)} s vs ${(lowerBoundMs / 1000).toFixed(1)} s scaled: DocSpace runs one task at a time per queue)`);
  line("Bytes of state per UserRemoval (__provider + outputs)", big.stateBytesPerResource.toFixed(0), "(harness; the real figure is the CLI's stack export)");
  line("Bytes per state entry as stored (inputs + outputs)", big.stateEntryBytes.toFixed(0), "(both carry __provider)");
  line(`Peak memory (RSS) of the provider host, ${big.accounts} accounts`, `${big.peakMb.toFixed(0)} MB`, "(target <= 160 MB at 1000)");
  line("Failed removals in all runs", String(results.reduce((n, r) => n + r.failed, 0)));
}

async function main(): Promise<void> {
  console.log(`pulumi-docspace benchmark: simulator clock scaled 1/${SCALE} (latency ${LATENCY_MS} ms, tasks ${TASK_MS[0]}-${TASK_MS[1]} ms, ${PER_WINDOW} requests per ${WINDOW_MS} ms, 15 concurrent writes)`);
  const cli = { scale: SCALE, root: ROOT, line };
  for (const c of selectedCases()) {
    if (c.name === "harness") await harnessFigures(c.n === undefined ? [1, 100, 1000] : [c.n]);
    if (c.name === "parse") {
      const p = parseBench();
      line("Parse+validate 10,000 entries / bare yaml.parse", p.ratio.toFixed(2), `(${p.oursMs.toFixed(0)} ms vs ${p.bareMs.toFixed(0)} ms; target <= 3)`);
    }
    if (c.name === "impact") {
      const impact = await impactFigures(100);
      line("Requests added per planned account by the impact report", impact.perAccount.toFixed(2), `(100 planned removals; ${impact.byRoute}; +${(impact.extraMs / 1000).toFixed(1)} s scaled)`);
    }
    if (c.name === "cli") await realCliFigures(cli);
    if (c.name === "cli-first" && pulumiOnPath(line)) for (const parallel of [undefined, 32]) await cliFirstUp(cli, c.n, parallel);
    if (c.name === "cli-history" && pulumiOnPath(line)) for (const n of c.n === undefined ? [200, 1000] : [c.n]) await cliHistory(cli, n);
    if (c.name === "cli-kept" && pulumiOnPath(line)) await cliKept(cli, c.n);
    if (c.name === "cli-archived" && pulumiOnPath(line)) await cliArchived(cli, c.n);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
