/**
 * Prints where a V8 CPU profile (`node --cpu-prof`, which the benchmark turns on with
 * BENCH_CPU_PROF=1) spent its time: self time by function and file, largest first, and the total
 * by package (the path under node_modules, or this repository's folder).
 *
 *   node dist/tools/cpu-summary.js <file.cpuprofile> [--top 30]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf("--top");
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 30;
  const profile = JSON.parse(readFileSync(args[0]!, "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const url = n.callFrame.url.replace(/^file:\/\//, "");
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes("/dist/") ? "pulumi-docspace (dist)" : url === "" ? `(${n.callFrame.functionName || "native"})` : url.startsWith("node:") ? "node" : url);
    const key = `${n.callFrame.functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  }
  const ms = (us: number): string => (us / 1000).toFixed(0).padStart(7);
  console.log(`profile: ${ms(totalUs)} ms wall`);
  console.log("\nself time by package:");
  for (const [k, v] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms  ${k}`);
  console.log("\nself time by function:");
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms  ${k}`);
}

main();
