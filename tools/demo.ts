/**
 * `npm run demo`: the main job against the embedded DocSpace simulator.
 * With the pulumi CLI on PATH: a throwaway local backend and stack, `pulumi preview`, `pulumi up`,
 * stack outputs. Without it: the same program through the lifecycle harness (real program under
 * mocks, real serialized provider in Pulumi's own provider host, the simulator). What the preview
 * says about the plan (the refusal, the impact blocks, the line per entry) is printed by the
 * program itself in both cases, never described here.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOffboardingFile } from "../provider/offboarding/parse";
import { defineOffboarding, logicalName } from "../provider/program/offboarding-program";
import { DocSpaceSimulator, ownerApiKey } from "../simulator/server";
import { ProviderHost } from "./provider-host";
import { declareResources, preview, up, type DeclaredResource, type PlannedStep, type StackState } from "./lifecycle";

const ROOT = join(__dirname, "..", "..");
const FILE = process.env.DEMO_OFFBOARDING_FILE ?? "offboarding.yaml";

function pulumiOnPath(): boolean {
  return spawnSync("pulumi", ["version"], { stdio: "ignore" }).status === 0;
}

async function main(): Promise<number> {
  const sim = new DocSpaceSimulator({ latencyMs: [10, 30], taskDurationMs: [1500, 4000] });
  const url = await sim.start();
  console.log(`DocSpace simulator (seeded portal) on ${url}`);
  try {
    return pulumiOnPath() ? await withCli(url) : await withHarness(sim, url);
  } finally {
    await sim.stop();
  }
}

/** The real thing: a local backend in a temp folder, a throwaway stack. */
async function withCli(url: string): Promise<number> {
  const backend = mkdtempSync(join(tmpdir(), "docspace-demo-"));
  const env = { ...process.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "demo-only", PULUMI_SKIP_UPDATE_CHECK: "true" };
  // Asynchronous: the simulator runs in this process and must keep answering while pulumi runs.
  const run = (args: string[], input?: string): Promise<number> =>
    new Promise((resolve) => {
      const child = spawn("pulumi", [...args, "--cwd", ROOT, "--non-interactive"], { stdio: [input === undefined ? "ignore" : "pipe", "inherit", "inherit"], env });
      if (input !== undefined) child.stdin!.end(input);
      child.on("close", (code) => resolve(code ?? 1));
    });
  const stack = `demo-${Date.now()}`;
  try {
    if ((await run(["stack", "init", stack])) !== 0) return 1;
    await run(["config", "set", "docspace:url", url, "--stack", stack]);
    // The key goes in as a secret through stdin, never on a command line.
    await run(["config", "set", "--secret", "docspace:apiKey", "--stack", stack], ownerApiKey());
    console.log("\n== pulumi preview of examples/offboarding/mistakes.yaml (a file with mistakes: refused, nothing touched)");
    await run(["config", "set", "docspace:offboardingFile", "examples/offboarding/mistakes.yaml", "--stack", stack]);
    if ((await run(["preview", "--stack", stack])) === 0) {
      console.error("the preview of the mistakes file should have been refused");
      return 1;
    }
    console.log(`\n== pulumi preview --diff of ${FILE}`);
    await run(["config", "set", "docspace:offboardingFile", FILE, "--stack", stack]);
    if ((await run(["preview", "--stack", stack, "--diff"])) !== 0) return 1;
    console.log(`\n== pulumi up`);
    if ((await run(["up", "--yes", "--stack", stack])) !== 0) return 1;
    return await run(["stack", "output", "--stack", stack, "--json"]);
  } finally {
    await run(["stack", "rm", stack, "--yes", "--force"]);
    rmSync(backend, { recursive: true, force: true });
  }
}

async function withHarness(sim: DocSpaceSimulator, url: string): Promise<number> {
  console.log("pulumi CLI not found on PATH: running the same program through the test lifecycle harness (real program under Pulumi's mocks, real serialized provider in Pulumi's own provider host).");
  const portal = { "docspace:url": url, "docspace:apiKey": ownerApiKey() };

  // ---- the mistakes file: the program itself refuses it, before any resource exists
  const mistakes = "examples/offboarding/mistakes.yaml";
  console.log(`\n== pulumi preview of ${mistakes} (a file with mistakes: refused, nothing touched)`);
  const writes = sim.writes().length;
  const refused = await runProgram(mistakes, portal);
  printDiagnostics(refused.diagnostics, refused.error);
  console.log(`The portal received ${sim.writes().length - writes} writes.`);
  if (!refused.error) {
    console.error("the preview of the mistakes file should have been refused");
    return 1;
  }

  // ---- preview: what the program prints (impact blocks, one plan line per entry), then the steps
  console.log(`\n== pulumi preview of ${FILE}`);
  const previewed = await runProgram(FILE, portal);
  printDiagnostics(previewed.diagnostics, previewed.error);
  if (previewed.error) return 1;
  const resources = inFileOrder(previewed.resources, FILE);
  const host = await ProviderHost.start({ cwd: ROOT });
  const state: StackState = new Map();
  try {
    await host.configure(portal);
    const plan = await preview(host, resources, state);
    printSteps(plan);
    if (plan.some((p) => p.kind === "refused")) {
      console.log("\nPreview failed: nothing was touched. Fix the entries above and run again.");
      return 1;
    }

    // ---- up
    console.log("\n== pulumi up");
    const started = Date.now();
    const ticker = setInterval(() => printProgress(sim, started), 1000);
    const outcome = await up(host, resources, state);
    clearInterval(ticker);
    for (const step of outcome.steps) {
      const o = step.outputs ?? {};
      const mark = step.ok ? "+" : "!";
      console.log(`  ${mark} ${step.name.padEnd(38)} ${String(o.status ?? "error").padEnd(9)} ${String(o.percentage ?? 0).padStart(3)}%  task ${String(o.taskId ?? "-")}${step.error ? `\n      ${step.error}` : ""}`);
    }
    console.log(`  ${outcome.steps.filter((s) => s.ok).length} of ${outcome.steps.length} done in ${((Date.now() - started) / 1000).toFixed(1)} s; ${sim.log.length} requests to the portal`);

    // ---- the plan after apply must be empty
    console.log("\n== pulumi preview (again)");
    const again = await preview(host, resources, state);
    const changes = again.filter((p) => p.kind !== "same");
    console.log(changes.length === 0 ? "  no changes" : changes.map((c) => `  ${c.kind} ${c.name}`).join("\n"));

    // ---- stack outputs
    console.log("\n== stack outputs");
    const accounts: Record<string, unknown> = {};
    const totals: Record<string, number> = { total: 0 };
    for (const e of state.values()) {
      const o = e.outputs;
      accounts[e.name] = { status: o.status, mode: o.mode, taskId: o.taskId, startedAt: o.startedAt, completedAt: o.completedAt };
      totals.total!++;
      totals[String(o.status)] = (totals[String(o.status)] ?? 0) + 1;
    }
    console.log(JSON.stringify({ offboardingFile: FILE, accounts, totals }, null, 2));
    // Done: every removal and transfer Completed, every suspension (a dated or disable entry) Disabled.
    const allDone = outcome.steps.length === resources.length && outcome.steps.every((s) => s.ok && (s.outputs?.status === "Completed" || s.outputs?.status === "Disabled"));
    return allDone && changes.length === 0 ? 0 : 1;
  } finally {
    await host.stop();
  }
}

/**
 * The real program under Pulumi's mocks, as a preview runs it: its whole-file look, its refusal or
 * its impact blocks and plan lines. What it logs through pulumi.log (which, without an engine,
 * writes `info: [runtime] …` to the console) is collected, to be shown as the CLI shows it.
 */
async function runProgram(file: string, config: Record<string, string>): Promise<{ resources: DeclaredResource[]; diagnostics: string[]; error?: string }> {
  const diagnostics: string[] = [];
  const original = { log: console.log, warn: console.warn, error: console.error };
  const collect =
    (print: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      const m = /^(info|warning|error): \[runtime\] ([\s\S]*)$/.exec(args.map(String).join(" "));
      if (m) diagnostics.push(m[1] === "info" ? m[2]! : `${m[1]}: ${m[2]!}`);
      else print(...args);
    };
  console.log = collect(original.log);
  console.warn = collect(original.warn);
  console.error = collect(original.error);
  try {
    const { resources } = await declareResources(() => defineOffboarding({ file, baseDir: ROOT }), { preview: true, config: { ...config, "docspace:offboardingFile": file } });
    return { resources, diagnostics };
  } catch (e) {
    return { resources: [], diagnostics, error: e instanceof Error ? e.message : String(e) };
  } finally {
    Object.assign(console, original);
  }
}

/** As `pulumi preview` prints the stack's diagnostics: each message's lines indented under the stack. */
function printDiagnostics(messages: string[], error?: string): void {
  const all = [...messages, ...(error ? [`error: ${error}`] : [])];
  if (all.length === 0) return;
  console.log("Diagnostics:\n  pulumi:pulumi:Stack (docspace-offboarding-demo):");
  for (const m of all) console.log(m.split("\n").map((l) => `    ${l}`).join("\n"));
}

/** The steps as the engine plans them (the checks of the real provider in its own host). */
function printSteps(plan: PlannedStep[]): void {
  const marks: Record<string, string> = { create: "+", update: "~", replace: "+-", delete: "-", same: " ", refused: "x" };
  for (const step of plan) {
    console.log(`    ${marks[step.kind] ?? "?"} ${step.type} ${step.name} (${step.kind})`);
    for (const f of step.failures ?? []) console.log(`        ${f.property}: ${f.reason}`);
  }
  const counts = new Map<string, number>();
  for (const step of plan) counts.set(step.kind, (counts.get(step.kind) ?? 0) + 1);
  console.log(`Resources:\n${[...counts].map(([kind, n]) => `    ${marks[kind] ?? "?"} ${n} to ${kind}`).join("\n")}`);
}

/** Resources register asynchronously; show them in the order of the file. */
function inFileOrder(resources: DeclaredResource[], file: string): DeclaredResource[] {
  const order = loadOffboardingFile(join(ROOT, file)).removals.map(logicalName);
  return [...resources].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

const lastShown = new Map<string, string>();
function printProgress(sim: DocSpaceSimulator, started: number): void {
  const parts: string[] = [];
  for (const t of sim.portal.startedTasks) {
    const u = sim.portal.users.get(t.userId);
    const label = `${u?.email ?? t.userId} ${t.status === 2 ? "done" : t.status === 4 ? "FAILED" : `${t.percentage}%`}`;
    if (lastShown.get(t.userId) !== label) {
      lastShown.set(t.userId, label);
      parts.push(label);
    }
  }
  if (parts.length > 0) console.log(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${parts.join(", ")}`);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
