/**
 * The real-CLI part of `npm run bench`: `pulumi up` of 200 removals at the engine's default
 * parallelism against DocSpace's default limits (clock scaled like the rest of the benchmark),
 * with a local backend. Skipped, saying so, when `pulumi` is not on PATH (`npm run cli`).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DocSpaceSimulator, ownerApiKey } from "../simulator/server";

export interface CliBenchOptions {
  scale: number;
  root: string;
  line: (label: string, value: string, note?: string) => void;
}

/** Resident memory of a process and all its descendants, in kB (from /proc). */
function treeRssKb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const visit = (p: number): void => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      total += m ? Number(m[1]) : 0;
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

export async function realCliFigures({ scale, root, line }: CliBenchOptions): Promise<void> {
  if (spawnSync("pulumi", ["version"], { stdio: "ignore" }).status !== 0) {
    line("Real CLI figures", "skipped", "(pulumi is not on PATH: `export PATH=\"$(npm run -s cli | tail -n 1):$PATH\"`)");
    return;
  }
  const accounts = 200;
  const windowMs = 60_000 / scale;
  const perWindow = 1500;
  const sim = new DocSpaceSimulator({ latencyMs: 40 / scale, taskDurationMs: [2000 / scale, 5000 / scale], rateLimits: { requestsPerWindow: perWindow, windowMs } });
  const url = await sim.start();
  const dir = mkdtempSync(join(tmpdir(), "docspace-bench-cli-"));
  const file = join(dir, "offboarding.yaml");
  const stack = `bench-${process.pid}`;
  const lines = ["version: 1", "removals:"];
  for (let i = 0; i < accounts; i++) lines.push(`  - email: ${sim.portal.addUser({ email: `cli.bench${i}@example.com` }).email}`);
  writeFileSync(file, lines.join("\n") + "\n");
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${dir}`,
    PULUMI_CONFIG_PASSPHRASE: "bench",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    DOCSPACE_POLL_MIN_MS: String(1000 / scale),
    DOCSPACE_POLL_MAX_MS: String(10_000 / scale),
  };
  const pulumi = (args: string[], input?: string, watch?: (pid: number) => void): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve) => {
      const child = spawn("pulumi", [...args, "--cwd", root, "--stack", stack, "--non-interactive"], { env, stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.stdin.end(input ?? "");
      if (watch && child.pid) watch(child.pid);
      child.on("close", (code) => resolve({ code, out }));
    });
  try {
    const init = await pulumi(["stack", "init"]);
    if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.out}`);
    for (const [k, v] of [
      ["docspace:url", url],
      ["docspace:offboardingFile", file],
      ["docspace:maxRemovalsPerRun", String(accounts)],
      ["docspace:requestsPerMinute", String(perWindow)],
      ["docspace:rateWindowMs", String(windowMs)],
    ] as const) await pulumi(["config", "set", k, v]);
    await pulumi(["config", "set", "--secret", "docspace:apiKey"], ownerApiKey());
    let peakKb = 0;
    let sampler: NodeJS.Timeout | undefined;
    const started = performance.now();
    const up = await pulumi(["up", "--yes"], undefined, (pid) => {
      sampler = setInterval(() => (peakKb = Math.max(peakKb, treeRssKb(pid))), 200);
    });
    const wallMs = performance.now() - started;
    if (sampler) clearInterval(sampler);
    const removed = [...sim.portal.users.values()].filter((u) => u.removed).length;
    const maxTask = Math.max(...sim.portal.startedTasks.map((t) => t.durationMs));
    const bound = Math.max((sim.log.length / perWindow) * windowMs, maxTask);
    if (up.code !== 0) console.error(up.out.slice(-3000));
    const exported = JSON.parse((await pulumi(["stack", "export"])).out) as { deployment: { resources: Array<{ type: string }> } };
    const records = exported.deployment.resources.filter((r) => r.type.endsWith("docspace:UserRemoval"));
    const stateBytes = records.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0) / Math.max(1, records.length);
    line(`Real CLI: pulumi up (preview + update), ${accounts} removals`, up.code === 0 ? "ok" : `exit ${up.code}`, `(${removed} removed, ${sim.portal.startedTasks.length} tasks started)`);
    line("Real CLI: requests per removed account", (sim.log.length / accounts).toFixed(2), `(${sim.log.length} requests incl. preview and program, ${sim.log.filter((r) => r.status === 429).length} answered 429)`);
    line("Real CLI: wall time / bound DocSpace's limits allow", (wallMs / bound).toFixed(2), `(${(wallMs / 1000).toFixed(1)} s vs ${(bound / 1000).toFixed(1)} s; includes the CLI's own start-up and two program runs)`);
    line("Real CLI: bytes per UserRemoval in pulumi stack export", stateBytes.toFixed(0));
    line("Real CLI: peak memory, CLI + language host + provider host", `${(peakKb / 1024).toFixed(0)} MB`);
  } finally {
    await pulumi(["stack", "rm", "--yes", "--force"]);
    rmSync(dir, { recursive: true, force: true });
    await sim.stop();
  }
}
