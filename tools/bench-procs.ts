/**
 * The processes of one Pulumi CLI command, and the peak memory of each: the CLI (the engine), the
 * language host, the program (`node …/cmd/run`) and the dynamic-provider host (`node
 * …/cmd/dynamic-provider`). Sampled from /proc while the command runs; each process's own peak is
 * the kernel's high-water mark (VmHWM), read until it ends, so a peak between samples is not
 * missed (only the last few milliseconds of a process's life can be).
 */
import { readdirSync, readFileSync } from "node:fs";

export type Role = "cli" | "language host" | "program" | "provider host" | "other";
export const ROLES: readonly Role[] = ["cli", "language host", "program", "provider host"];

function roleOf(cmdline: string[]): Role {
  const exe = cmdline[0] ?? "";
  if (/(^|\/)pulumi$/.test(exe)) return "cli";
  if (/pulumi-language-nodejs$/.test(exe)) return "language host";
  if (cmdline.some((a) => /@pulumi\/pulumi\/cmd\/run(\/|$)|cmd\/run\/index\.js$/.test(a))) return "program";
  if (cmdline.some((a) => /cmd\/dynamic-provider/.test(a))) return "provider host";
  return "other";
}

export interface ProcessPeaks {
  /** Per role: the largest peak of one process of that role (MB), how many such processes ran, and their CPU time (s). */
  byRole: Record<Role, { peakMb: number; count: number; cpuS: number }>;
  /** The largest sum of resident memory over all the command's processes at one sample (MB). */
  totalPeakMb: number;
}

/** Samples the process tree under `rootPid` until stop(). */
export class ProcessSampler {
  private readonly seen = new Map<number, { role: Role; hwmKb: number; cpuTicks: number }>();
  private readonly stats = new Map<number, string>();
  private totalKb = 0;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly rootPid: number,
    intervalMs = 150,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  private sample(): void {
    const children = new Map<number, number[]>();
    this.stats.clear();
    for (const d of readdirSync("/proc")) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        this.stats.set(Number(d), stat);
        const list = children.get(ppid);
        if (list) list.push(Number(d));
        else children.set(ppid, [Number(d)]);
      } catch {
        // ended while we looked
      }
    }
    let total = 0;
    const visit = (pid: number): void => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
        const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
        total += rss;
        let entry = this.seen.get(pid);
        if (!entry || entry.role === "other") {
          // Read again while unknown: a shell wrapper (pulumi-resource-pulumi-nodejs) becomes node by exec.
          const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
          entry = { role: roleOf(cmdline), hwmKb: entry?.hwmKb ?? 0, cpuTicks: entry?.cpuTicks ?? 0 };
          this.seen.set(pid, entry);
        }
        entry.hwmKb = Math.max(entry.hwmKb, hwm);
        // utime + stime (fields 14 and 15), in clock ticks: the CPU time the process has used so far.
        const fields = (this.stats.get(pid) ?? "").slice((this.stats.get(pid) ?? "").lastIndexOf(")") + 2).split(" ");
        const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
        if (ticks > 0) entry.cpuTicks = Math.max(entry.cpuTicks, ticks);
      } catch {
        return;
      }
      for (const c of children.get(pid) ?? []) visit(c);
    };
    visit(this.rootPid);
    this.totalKb = Math.max(this.totalKb, total);
  }

  stop(): ProcessPeaks {
    clearInterval(this.timer);
    const byRole = Object.fromEntries([...ROLES, "other"].map((r) => [r, { peakMb: 0, count: 0, cpuS: 0 }])) as ProcessPeaks["byRole"];
    for (const { role, hwmKb, cpuTicks } of this.seen.values()) {
      byRole[role].peakMb = Math.max(byRole[role].peakMb, hwmKb / 1024);
      byRole[role].count++;
      byRole[role].cpuS += cpuTicks / 100;
    }
    return { byRole, totalPeakMb: this.totalKb / 1024 };
  }
}

/** "CLI 222 / program 517 / provider host 148 / language host 30 MB; all together 900 MB". */
export function describePeaks(p: ProcessPeaks): string {
  const part = (r: Role, label: string): string => `${label} ${p.byRole[r].peakMb.toFixed(0)}`;
  return `${part("cli", "CLI")} / ${part("program", "program")} / ${part("provider host", "provider host")} / ${part("language host", "language host")} MB; all together ${p.totalPeakMb.toFixed(0)} MB`;
}

/** "CPU s: CLI 12.0 / program 9.1 / provider host 3.2": the CPU time each role used (a process's last 150 ms may be missed). */
export function describeCpu(p: ProcessPeaks): string {
  const part = (r: Role, label: string): string => `${label} ${p.byRole[r].cpuS.toFixed(1)}`;
  return `CPU s: ${part("cli", "CLI")} / ${part("program", "program")} / ${part("provider host", "provider host")}`;
}
