/**
 * What the offboarding-process test files share (offboarding-process.test.ts and
 * offboarding-process-edges.test.ts, one file split in two so the halves run in parallel).
 *
 * Offboarding as a process (issue 12): disable, transfer and keep, remove on a date. The real
 * program (offboarding file → resources, with its whole-file look first) runs under Pulumi's
 * mocks, and the real serialized providers run in Pulumi's own dynamic-provider host, one host per
 * run as the engine starts one per `pulumi up`. What happened to people is asserted from the
 * simulator's own record: its request log, its status changes and the tasks it started.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { HOST_ENV, hostModule, KEYS, lifecycle, program, REMOVAL_TYPE, ROOT, skippableClock, startSimulator, type Simulator } from "./helpers";
import type { LoggedRequest } from "../simulator/server";

export type Host = Awaited<ReturnType<typeof hostModule.ProviderHost.start>>;
export type State = Parameters<typeof lifecycle.up>[2];
export type Steps = Awaited<ReturnType<typeof lifecycle.up>>;
export type Declared = Awaited<ReturnType<typeof lifecycle.declareResources>>["resources"];

export const SUSPENSION = "pulumi-nodejs:dynamic/docspace:AccountSuspension";
export const TRANSFER = "pulumi-nodejs:dynamic/docspace:DataTransfer";
export const REMOVAL = REMOVAL_TYPE;

/** The schedule: runs happen on BEFORE, the removal date is DUE, and LATER is after it. */
export const BEFORE = "2030-01-05";
export const DUE = "2030-01-10";
export const LATER = "2030-01-12";

export const JANE = "jane.doe@example.com";
export const NORA = "nora.north@example.com";
export const MARK = "mark.lee@example.com";
export const SAM = "suspended.sam@example.com"; // disabled in the seed, before any run
export const LEAD = "team.lead@example.com";

/** The test's simulator (a live binding: a new one for each test). */
export let s: Simulator;
/** Its clock: the wall clock, which a test may move ahead instead of waiting for a task to finish. */
export let clock: ReturnType<typeof skippableClock>;

/** A fresh simulator for each test of the calling file. */
export function simulatorPerTest(): void {
  beforeEach(async () => {
    clock = skippableClock();
    s = await startSimulator({ taskDurationMs: 200, now: clock.now });
    // The program's whole-file look reads the portal from the environment, as in CI.
    process.env.DOCSPACE_URL = s.url;
    process.env.DOCSPACE_API_KEY = KEYS.owner;
  });
  afterEach(async () => {
    delete process.env.DOCSPACE_URL;
    delete process.env.DOCSPACE_API_KEY;
    delete process.env.DOCSPACE_PREVIEW_ONLY;
    await s.stop();
  });
}

/** One entry of the offboarding file, as a person writes it. */
export function entry(fields: Record<string, string | boolean | number>): string {
  return `  - ${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n    ")}\n`;
}

export const disable = (email: string): string => entry({ email, action: "disable" });
export const removeOn = (email: string, date: string): string => entry({ email, removeAfter: date });
export const transfer = (email: string, extra: Record<string, string | boolean | number> = {}): string => entry({ email, action: "transfer", keepProfile: true, transferTo: LEAD, ...extra });

interface Run extends Steps {
  /** What the program printed (pulumi.log.info under mocks). */
  log: string;
  /** Every request the simulator received during the run. */
  requests: LoggedRequest[];
  /** "METHOD route" of the requests that could change something. */
  writes: string[];
}

interface RunOptions {
  key?: string;
  /** Extra environment for the program and the provider host (e.g. DOCSPACE_PREVIEW_ONLY). */
  env?: Record<string, string>;
}

/** A stack: its state, kept across runs, and its offboarding file. */
export class Stack {
  readonly state: State = new Map();
  private readonly file = join(mkdtempSync(join(tmpdir(), "offboarding-process-")), "offboarding.yaml");

  /** Writes the file and runs the program on `day`, as the language host would. */
  async declare(entries: string[], day: string): Promise<{ resources: Declared; log: string }> {
    writeFileSync(this.file, `version: 1\nremovals:${entries.length > 0 ? `\n${entries.join("")}` : " []\n"}`);
    const lines: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
    try {
      const { resources } = await lifecycle.declareResources(() => program.defineOffboarding({ file: this.file }), { config: { "docspace:today": day }, stored: this.state });
      return { resources, log: lines.join("\n") };
    } finally {
      console.log = original;
    }
  }

  /** `pulumi up` on `day` with this file. */
  up(entries: string[], day: string, opts: RunOptions = {}): Promise<Run> {
    return this.run(day, opts, async (host) => {
      const { resources, log } = await this.declare(entries, day);
      return { ...(await lifecycle.up(host, resources, this.state)), log };
    });
  }

  /** `pulumi preview` on `day`: the plan, nothing applied. */
  async preview(entries: string[], day: string): Promise<{ plan: Awaited<ReturnType<typeof lifecycle.preview>>; log: string; writes: string[] }> {
    let plan: Awaited<ReturnType<typeof lifecycle.preview>> = [];
    const r = await this.run(day, {}, async (host) => {
      const { resources, log } = await this.declare(entries, day);
      plan = await lifecycle.preview(host, resources, this.state);
      return { steps: [], refused: [], log };
    });
    return { plan, log: r.log, writes: r.writes };
  }

  refresh(day: string): Promise<Run> {
    return this.run(day, {}, async (host) => {
      await lifecycle.refresh(host, this.state);
      return { steps: [], refused: [], log: "" };
    });
  }

  destroy(day: string): Promise<Run> {
    return this.run(day, {}, async (host) => {
      await lifecycle.destroy(host, this.state);
      return { steps: [], refused: [], log: "" };
    });
  }

  /** The stored outputs of one entry's resource of `type`. */
  outputs(type: string, email: string): Record<string, unknown> | undefined {
    return [...this.state.values()].find((e) => e.type === type && e.name === email)?.outputs;
  }

  types(email: string): string[] {
    return [...this.state.values()].filter((e) => e.name === email).map((e) => e.type);
  }

  /** One provider host per run, as the engine starts one per `pulumi up`: a run's memory never leaks into the next. */
  private async run(day: string, opts: RunOptions, body: (host: Host) => Promise<Steps & { log: string }>): Promise<Run> {
    const from = s.requests().length;
    const saved = Object.fromEntries(Object.keys(opts.env ?? {}).map((k) => [k, process.env[k]]));
    Object.assign(process.env, opts.env ?? {});
    if (opts.key) process.env.DOCSPACE_API_KEY = opts.key;
    const host = await hostModule.ProviderHost.start({ cwd: ROOT, env: { ...HOST_ENV, ...opts.env } });
    try {
      await host.configure({ "docspace:url": s.url, "docspace:apiKey": opts.key ?? KEYS.owner, "docspace:today": day });
      const out = await body(host);
      const requests = s.requests().slice(from);
      return { ...out, requests, writes: requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.route}`) };
    } finally {
      await host.stop();
      process.env.DOCSPACE_API_KEY = KEYS.owner;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }
}

/** Every status change the portal applied to `id`: 2 disabled, 1 re-enabled. */
export function statusesOf(id: string): number[] {
  return s.portal.statusChanges.filter((c) => c.userIds.includes(id)).map((c) => c.status);
}

/** Every task the portal started for `id`, in order. */
export function tasksOf(id: string): Array<{ kind: string; deleteProfile: boolean; toUserId?: string }> {
  return s.portal.startedTasks.filter((t) => t.userId === id).map((t) => ({ kind: t.kind, deleteProfile: t.deleteProfile, ...(t.toUserId ? { toUserId: t.toUserId } : {}) }));
}

export const failed = (r: Steps): string[] => r.steps.filter((x) => !x.ok).map((x) => `${x.name} ${x.type}: ${x.error}`);
export const kinds = (r: Steps): string[] => r.steps.map((x) => `${x.name} ${x.type.split(":").pop()} ${x.kind}`);
