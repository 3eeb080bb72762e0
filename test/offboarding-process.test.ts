/**
 * Offboarding as a process (issue 12): disable, transfer and keep, remove on a date. The real
 * program (offboarding file → resources, with its whole-file look first) runs under Pulumi's
 * mocks, and the real serialized providers run in Pulumi's own dynamic-provider host, one host per
 * run as the engine starts one per `pulumi up`. What happened to people is asserted from the
 * simulator's own record: its request log, its status changes and the tasks it started.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOST_ENV, hostModule, KEYS, lifecycle, pkg, program, REMOVAL_TYPE, ROOT, startSimulator, USERS, type Simulator } from "./helpers";
import type { LoggedRequest } from "../simulator/server";

type Host = Awaited<ReturnType<typeof hostModule.ProviderHost.start>>;
type State = Parameters<typeof lifecycle.up>[2];
type Steps = Awaited<ReturnType<typeof lifecycle.up>>;
type Declared = Awaited<ReturnType<typeof lifecycle.declareResources>>["resources"];

const SUSPENSION = "pulumi-nodejs:dynamic/docspace:AccountSuspension";
const TRANSFER = "pulumi-nodejs:dynamic/docspace:DataTransfer";
const REMOVAL = REMOVAL_TYPE;

/** The schedule: runs happen on BEFORE, the removal date is DUE, and LATER is after it. */
const BEFORE = "2030-01-05";
const DUE = "2030-01-10";
const LATER = "2030-01-12";

const JANE = "jane.doe@example.com";
const NORA = "nora.north@example.com";
const MARK = "mark.lee@example.com";
const SAM = "suspended.sam@example.com"; // disabled in the seed, before any run
const LEAD = "team.lead@example.com";

let s: Simulator;

beforeEach(async () => {
  s = await startSimulator({ taskDurationMs: 200 });
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

/** One entry of the offboarding file, as a person writes it. */
function entry(fields: Record<string, string | boolean | number>): string {
  return `  - ${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n    ")}\n`;
}

const disable = (email: string): string => entry({ email, action: "disable" });
const removeOn = (email: string, date: string): string => entry({ email, removeAfter: date });
const transfer = (email: string, extra: Record<string, string | boolean | number> = {}): string => entry({ email, action: "transfer", keepProfile: true, transferTo: LEAD, ...extra });

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
class Stack {
  readonly state: State = new Map();
  private readonly file = join(mkdtempSync(join(tmpdir(), "offboarding-process-")), "offboarding.yaml");

  /** Writes the file and runs the program on `day`, as the language host would. */
  async declare(entries: string[], day: string): Promise<{ resources: Declared; log: string }> {
    writeFileSync(this.file, `version: 1\nremovals:${entries.length > 0 ? `\n${entries.join("")}` : " []\n"}`);
    const lines: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
    try {
      const { resources } = await lifecycle.declareResources(() => program.defineOffboarding({ file: this.file }), { config: { "docspace:today": day } });
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
function statusesOf(id: string): number[] {
  return s.portal.statusChanges.filter((c) => c.userIds.includes(id)).map((c) => c.status);
}

/** Every task the portal started for `id`, in order. */
function tasksOf(id: string): Array<{ kind: string; deleteProfile: boolean; toUserId?: string }> {
  return s.portal.startedTasks.filter((t) => t.userId === id).map((t) => ({ kind: t.kind, deleteProfile: t.deleteProfile, ...(t.toUserId ? { toUserId: t.toUserId } : {}) }));
}

const failed = (r: Steps): string[] => r.steps.filter((x) => !x.ok).map((x) => `${x.name} ${x.type}: ${x.error}`);
const kinds = (r: Steps): string[] => r.steps.map((x) => `${x.name} ${x.type.split(":").pop()} ${x.kind}`);

describe("the program declares, per entry and day, the resources of the modelling table", () => {
  async function declared(e: string, day: string): Promise<Array<[string, Record<string, unknown>]>> {
    const { resources } = await new Stack().declare([e], day);
    return resources.map((r) => {
      const { __provider, ...inputs } = r.inputs;
      return [r.type, inputs];
    });
  }

  it("remove without a date: one UserRemoval", async () => {
    expect(await declared(entry({ email: JANE }), BEFORE)).toEqual([[REMOVAL, expect.objectContaining({ email: JANE })]]);
  });

  it("remove with removeAfter: before the date an AccountSuspension only; on and after it the suspension handed over and the UserRemoval with its date", async () => {
    expect(await declared(removeOn(JANE, DUE), BEFORE)).toEqual([[SUSPENSION, expect.not.objectContaining({ handedOver: true })]]);
    for (const day of [DUE, LATER]) {
      expect(await declared(removeOn(JANE, DUE), day)).toEqual([
        [SUSPENSION, expect.objectContaining({ email: JANE, handedOver: true })],
        [REMOVAL, expect.objectContaining({ email: JANE, removeAfter: DUE })],
      ]);
    }
  });

  it("disable: an AccountSuspension only, whatever the day", async () => {
    for (const day of [BEFORE, LATER]) expect(await declared(disable(JANE), day)).toEqual([[SUSPENSION, expect.objectContaining({ email: JANE })]]);
  });

  it("transfer: suspension + DataTransfer; with its removeAfter due, the suspension handed over, the transfer, and the removal", async () => {
    expect(await declared(transfer(JANE), BEFORE)).toEqual([
      [SUSPENSION, expect.not.objectContaining({ handedOver: true })],
      [TRANSFER, expect.objectContaining({ email: JANE, keepProfile: true, transferTo: LEAD })],
    ]);
    expect(await declared(transfer(JANE, { removeAfter: DUE }), BEFORE)).toEqual([
      [SUSPENSION, expect.not.objectContaining({ handedOver: true })],
      [TRANSFER, expect.objectContaining({ keepProfile: true })],
    ]);
    expect(await declared(transfer(JANE, { removeAfter: DUE }), DUE)).toEqual([
      [SUSPENSION, expect.objectContaining({ handedOver: true })],
      [TRANSFER, expect.objectContaining({ keepProfile: true, transferTo: LEAD })],
      [REMOVAL, expect.objectContaining({ removeAfter: DUE, transferTo: LEAD })],
    ]);
  });
});

describe("disable", () => {
  it("disables once and records that this stack did it; the next run changes nothing and writes nothing", async () => {
    const stack = new Stack();
    const first = await stack.up([disable(JANE)], BEFORE);
    expect(failed(first)).toEqual([]);
    expect(first.writes).toEqual(["PUT people/status/{status}"]);
    expect(first.requests.find((r) => r.method === "PUT")!.path).toMatch(/people\/status\/2$/);
    expect(statusesOf(USERS.jane)).toEqual([2]);
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ userId: USERS.jane, status: "Disabled", disabledByStack: true, handedOver: false });
    expect(tasksOf(USERS.jane)).toEqual([]);

    const second = await stack.up([disable(JANE)], BEFORE);
    expect(kinds(second)).toEqual([`${JANE} AccountSuspension same`]);
    expect(second.writes).toEqual([]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });

  it("an account disabled outside the tool is recorded, not written to; taking the entry out does not re-enable it", async () => {
    const stack = new Stack();
    const first = await stack.up([disable(SAM)], BEFORE);
    expect(failed(first)).toEqual([]);
    expect(first.writes).toEqual([]);
    expect(first.log).toContain(`${SAM} (disable): disabled (signed out everywhere; reversible); already disabled; taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back`);
    expect(stack.outputs(SUSPENSION, SAM)).toMatchObject({ status: "Disabled", disabledByStack: false, disabledSince: expect.stringMatching(/^2026-10-01/) });

    const out = await stack.up([], BEFORE);
    expect(kinds(out)).toEqual([`${SAM} AccountSuspension delete`]);
    expect(failed(out)).toEqual([]);
    expect(out.writes).toEqual([]);
    expect(statusesOf(USERS.sam)).toEqual([]);
    expect(s.portal.liveUser(USERS.sam)!.status).toBe(2);
  });

  it("taking the entry out of an account this stack disabled drops the record and leaves the account disabled; the preview said so", async () => {
    const stack = new Stack();
    const first = await stack.up([disable(JANE)], BEFORE);
    expect(first.log).toContain(`${JANE} (disable): disabled (signed out everywhere; reversible); this run disables it; taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back`);
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ disabledByStack: true });
    const out = await stack.up([], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(kinds(out)).toEqual([`${JANE} AccountSuspension delete`]);
    expect(out.writes).toEqual([]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
    expect(s.portal.liveUser(USERS.jane)!.status).toBe(2);
    expect(stack.state.size).toBe(0);
    const again = await stack.up([], BEFORE);
    expect(again.writes).toEqual([]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });
});

describe("remove on a date", () => {
  it("before the date: disabled only, and the plan says when; on the date: removed exactly once, never re-enabled on the way; afterwards: nothing", async () => {
    const stack = new Stack();
    const preview = await stack.preview([removeOn(JANE, DUE)], BEFORE);
    expect(preview.log).toContain(`${JANE} (remove, removeAfter ${DUE}): disabled (signed out everywhere; reversible); removal due on ${DUE} (in 5 days)`);
    expect(preview.plan.map((p) => [p.type, p.kind])).toEqual([[SUSPENSION, "create"]]);
    expect(preview.writes).toEqual([]);

    const before = await stack.up([removeOn(JANE, DUE)], BEFORE);
    expect(failed(before)).toEqual([]);
    expect(before.writes).toEqual(["PUT people/status/{status}"]);
    expect(s.requests("POST people/remove/start")).toEqual([]);
    expect(s.requests("POST people/reassign/start")).toEqual([]);
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ disabledByStack: true, handedOver: false });

    const dayBefore = await stack.up([removeOn(JANE, DUE)], "2030-01-09");
    expect(dayBefore.log).toContain(`removal due on ${DUE} (in 1 day)`);
    expect(dayBefore.writes).toEqual([]);

    const due = await stack.up([removeOn(JANE, DUE)], DUE);
    expect(due.log).toContain(`removal due on ${DUE} (today): removed in this run`);
    expect(failed(due)).toEqual([]);
    expect(kinds(due)).toEqual([`${JANE} AccountSuspension update`, `${JANE} UserRemoval create`]);
    expect(due.writes).toEqual(["POST people/remove/start"]); // already disabled: no second status write
    expect(tasksOf(USERS.jane)).toEqual([{ kind: "remove", deleteProfile: true }]);
    expect(s.portal.liveUser(USERS.jane)).toBeUndefined();
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ handedOver: true, disabledByStack: true });
    expect(stack.outputs(REMOVAL, JANE)).toMatchObject({ status: "Completed", evidence: expect.stringContaining("404") });

    const after = await stack.up([removeOn(JANE, DUE)], LATER);
    expect(failed(after)).toEqual([]);
    expect(after.writes).toEqual([]);
    expect(tasksOf(USERS.jane)).toHaveLength(1);
    expect(statusesOf(USERS.jane)).toEqual([2]); // never 1
  });

  it("the gate refuses a removal before its date even when declared directly: check fails on removeAfter, create refuses, nothing is written", async () => {
    const { resources } = await lifecycle.declareResources(() => new pkg.UserRemoval(JANE, { email: JANE, removeAfter: DUE }));
    const host = await hostModule.ProviderHost.start({ cwd: ROOT, env: HOST_ENV });
    try {
      await host.configure({ "docspace:url": s.url, "docspace:apiKey": KEYS.owner, "docspace:today": BEFORE });
      const out = await lifecycle.up(host, resources, new Map());
      expect(out.refused[0]?.failures).toEqual([{ property: "removeAfter", reason: expect.stringContaining(`not due for removal until ${DUE} (today is ${BEFORE}`) }]);
      // An engine that skipped the check is refused by create all the same.
      const created = await host.create(resources[0]!.urn, resources[0]!.inputs).then(
        () => "created",
        (e: unknown) => String(e),
      );
      expect(created).toContain(`not due for removal until ${DUE}`);
    } finally {
      await host.stop();
    }
    expect(s.writes()).toEqual([]);
    expect(s.portal.startedTasks).toEqual([]);
  });

  it("taking out a dated removal before its date drops the suspension and leaves the account disabled; nothing is started", async () => {
    const stack = new Stack();
    await stack.up([removeOn(JANE, DUE)], BEFORE);
    const out = await stack.up([], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(out.writes).toEqual([]);
    expect(stack.state.size).toBe(0);
    expect(statusesOf(USERS.jane)).toEqual([2]);
    expect(tasksOf(USERS.jane)).toEqual([]);
  });
});

describe("transfer and keep", () => {
  it("disables, transfers once keeping the profile (Completed by DocSpace's task report); then nothing; on its removeAfter, removed once, never re-enabled", async () => {
    const stack = new Stack();
    const file = [transfer(JANE, { removeAfter: DUE })];
    const first = await stack.up(file, BEFORE);
    expect(failed(first)).toEqual([]);
    expect(kinds(first)).toEqual([`${JANE} AccountSuspension create`, `${JANE} DataTransfer create`]);
    expect(first.writes).toEqual(["PUT people/status/{status}", "POST people/reassign/start"]);
    expect(tasksOf(USERS.jane)).toEqual([{ kind: "reassign", deleteProfile: false, toUserId: USERS.teamLead }]);
    expect(s.portal.liveUser(USERS.jane)).toMatchObject({ status: 2 }); // the profile stays, disabled
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ mode: "keep", status: "Completed", evidence: expect.stringContaining("status 2 (Completed)") });

    const second = await stack.up(file, BEFORE);
    expect(failed(second)).toEqual([]);
    expect(second.writes).toEqual([]);
    expect(tasksOf(USERS.jane)).toHaveLength(1);

    const due = await stack.up(file, DUE);
    expect(failed(due)).toEqual([]);
    expect(kinds(due)).toEqual([`${JANE} AccountSuspension update`, `${JANE} DataTransfer same`, `${JANE} UserRemoval create`]);
    expect(due.writes).toEqual(["POST people/reassign/start"]);
    expect(tasksOf(USERS.jane)).toEqual([
      { kind: "reassign", deleteProfile: false, toUserId: USERS.teamLead },
      { kind: "reassign", deleteProfile: true, toUserId: USERS.teamLead },
    ]);
    expect(s.portal.liveUser(USERS.jane)).toBeUndefined();
    expect(stack.outputs(REMOVAL, JANE)).toMatchObject({ mode: "transfer", status: "Completed" });

    const after = await stack.up(file, LATER);
    expect(failed(after)).toEqual([]);
    expect(after.writes).toEqual([]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });
  it("a transfer made, whose successor leaves afterwards: later previews and runs stay settled, refuse nothing and write nothing", async () => {
    const stack = new Stack();
    const file = [transfer(JANE)];
    const first = await stack.up(file, BEFORE);
    expect(failed(first)).toEqual([]);
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ status: "Completed" });
    // The team lead leaves: a new transfer to them would be refused, but this one is done.
    s.portal.liveUser(USERS.teamLead)!.status = 2;

    const later = await stack.up(file, LATER);
    expect(later.refused).toEqual([]);
    expect(failed(later)).toEqual([]);
    expect(later.writes).toEqual([]);
    expect(tasksOf(USERS.jane)).toHaveLength(1);
    // A new entry naming that successor is still refused, by the program's look and its own check.
    const before = s.writes().length;
    const other = await stack.up([...file, transfer(MARK)], LATER).then(
      () => "accepted",
      (e: unknown) => String(e),
    );
    expect(other).toMatch(/mark\.lee@example\.com: The successor Tess Lead <team\.lead@example\.com> is not active/);
    expect(other).not.toMatch(/jane\.doe/);
    expect(s.writes()).toHaveLength(before);
  });

  it("a transfer still running when its removal falls due: the removal waits behind it (the rest of the run goes on) and starts once the transfer has finished", async () => {
    s.portal.options.taskDurationMs = 5000;
    const stack = new Stack();
    const file = [transfer(JANE, { removeAfter: DUE, timeoutSeconds: 1 })];
    await stack.up(file, BEFORE);
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ status: "Running" });

    // Due, with its transfer still running: nothing is refused; Nora is removed; Jane's removal waits.
    const waiting = await stack.up([...file, entry({ email: NORA })], DUE);
    expect(waiting.refused).toEqual([]);
    expect(waiting.log).toContain(`removal due on ${DUE} (today): removed in this run, once its transfer has finished`);
    expect(s.portal.liveUser(USERS.nora)).toBeUndefined();
    expect(tasksOf(USERS.jane)).toHaveLength(1);
    expect(stack.outputs(REMOVAL, JANE)).toBeUndefined();

    while (s.portal.startedTasks[0]!.status === 1) {
      s.portal.advance();
      await new Promise((r) => setTimeout(r, 50));
    }
    s.portal.options.taskDurationMs = 200;
    const due = await stack.up([...file, entry({ email: NORA })], DUE);
    expect(failed(due)).toEqual([]);
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ status: "Completed" });
    expect(stack.outputs(REMOVAL, JANE)).toMatchObject({ status: "Completed" });
    expect(tasksOf(USERS.jane)).toEqual([
      { kind: "reassign", deleteProfile: false, toUserId: USERS.teamLead },
      { kind: "reassign", deleteProfile: true, toUserId: USERS.teamLead },
    ]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });
});

describe("the action changed between runs", () => {
  it("disable → remove (no date): the suspension is dropped, the removal runs, and the account is never re-enabled", async () => {
    const stack = new Stack();
    await stack.up([disable(JANE)], BEFORE);
    const out = await stack.up([entry({ email: JANE })], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(kinds(out)).toEqual([`${JANE} UserRemoval create`, `${JANE} AccountSuspension delete`]);
    expect(out.writes).toEqual(["POST people/remove/start"]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
    expect(tasksOf(USERS.jane)).toEqual([{ kind: "remove", deleteProfile: true }]);
    expect(stack.types(JANE)).toEqual([REMOVAL]);
  });

  it("disable → remove whose removal fails: the account stays disabled (this run still offboards it), and the next run retries once", async () => {
    const stack = new Stack();
    await stack.up([disable(JANE)], BEFORE);
    s.portal.failNext.set(USERS.jane, "Could not delete personal folder");
    const out = await stack.up([entry({ email: JANE })], BEFORE);
    expect(failed(out)).toEqual([expect.stringContaining("Could not delete personal folder")]);
    expect(out.writes).toEqual(["POST people/remove/start"]);
    expect(stack.types(JANE)).toEqual([REMOVAL]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
    const retry = await stack.up([entry({ email: JANE })], BEFORE);
    expect(failed(retry)).toEqual([]);
    expect(retry.writes).toEqual(["POST people/remove/start"]);
    expect(tasksOf(USERS.jane)).toHaveLength(2);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });

  it("remove with a future date → disable: no change, no writes", async () => {
    const stack = new Stack();
    await stack.up([removeOn(JANE, DUE)], BEFORE);
    const out = await stack.up([disable(JANE)], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(kinds(out)).toEqual([`${JANE} AccountSuspension same`]);
    expect(out.writes).toEqual([]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });

  it("disable → transfer: the suspension is kept and one transfer runs", async () => {
    const stack = new Stack();
    await stack.up([disable(JANE)], BEFORE);
    const out = await stack.up([transfer(JANE)], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(kinds(out)).toEqual([`${JANE} AccountSuspension same`, `${JANE} DataTransfer create`]);
    expect(out.writes).toEqual(["POST people/reassign/start"]);
    expect(tasksOf(USERS.jane)).toEqual([{ kind: "reassign", deleteProfile: false, toUserId: USERS.teamLead }]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });

  it("transfer → disable: the transfer record is dropped, nothing is written, nobody re-enabled", async () => {
    const stack = new Stack();
    await stack.up([transfer(JANE)], BEFORE);
    const out = await stack.up([disable(JANE)], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(out.writes).toEqual([]);
    expect(stack.types(JANE)).toEqual([SUSPENSION]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });
});

describe("the account changed outside the tool between runs", () => {
  it("re-enabled outside while the file says disable: the next run disables it again, once, and records that this stack disabled it", async () => {
    const stack = new Stack();
    await stack.up([disable(JANE)], BEFORE);
    s.portal.liveUser(USERS.jane)!.status = 1; // an admin re-enabled it in DocSpace's UI
    const preview = await stack.preview([disable(JANE)], BEFORE);
    expect(preview.plan.map((p) => p.kind)).toEqual(["update"]);
    const out = await stack.up([disable(JANE)], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(out.writes).toEqual(["PUT people/status/{status}"]);
    expect(out.requests.find((r) => r.method === "PUT")!.path).toMatch(/people\/status\/2$/);
    expect(statusesOf(USERS.jane)).toEqual([2, 2]);
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ status: "Disabled", disabledByStack: true });
    expect((await stack.up([disable(JANE)], BEFORE)).writes).toEqual([]);
  });

  it("removed outside before its date: refresh reads the suspension Gone; the due run starts nothing and says what to do; nobody re-enabled", async () => {
    const stack = new Stack();
    await stack.up([removeOn(JANE, DUE)], BEFORE);
    s.portal.startFromUi("remove", USERS.jane);
    while (s.portal.liveUser(USERS.jane)) {
      s.portal.advance();
      await new Promise((r) => setTimeout(r, 20));
    }
    const startedOutside = s.portal.startedTasks.length;

    const refreshed = await stack.refresh(BEFORE);
    expect(refreshed.writes).toEqual([]);
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ status: "Gone", evidence: expect.stringContaining("404") });

    const due = await stack.up([removeOn(JANE, DUE)], DUE);
    expect(due.writes).toEqual([]);
    expect(due.refused[0]).toMatchObject({ type: REMOVAL, failures: [{ property: "email", reason: expect.stringContaining("alreadyRemoved: true") }] });
    expect(s.portal.startedTasks).toHaveLength(startedOutside);

    // Doing what it says (record it as removed, no date) records it and drops the suspension without a write.
    const recorded = await stack.up([entry({ email: JANE, alreadyRemoved: true })], DUE);
    expect(failed(recorded)).toEqual([]);
    expect(recorded.writes).toEqual([]);
    expect(stack.outputs(REMOVAL, JANE)).toMatchObject({ mode: "recorded", status: "Completed" });
    expect(stack.types(JANE)).toEqual([REMOVAL]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });
});

describe("one account in two entries with different actions", () => {
  it("is refused by the resources' own checks too (not only by the program's look at the file), before anything is written", async () => {
    const { resources } = await lifecycle.declareResources(() => [new pkg.AccountSuspension(JANE, { email: JANE }), new pkg.UserRemoval(USERS.jane, { userId: USERS.jane })]);
    const host = await hostModule.ProviderHost.start({ cwd: ROOT, env: HOST_ENV });
    try {
      await host.configure({ "docspace:url": s.url, "docspace:apiKey": KEYS.owner, "docspace:today": BEFORE });
      const out = await lifecycle.up(host, resources, new Map());
      expect(out.refused).toEqual([expect.objectContaining({ type: REMOVAL, failures: [{ property: "userId", reason: expect.stringContaining(`the same DocSpace account as ${JANE}`) }] })]);
    } finally {
      await host.stop();
    }
    expect(s.writes()).toEqual([]);
  });
});

describe("a transfer that outlives timeoutSeconds", () => {
  for (const [what, line, type] of [
    ["a DataTransfer (action transfer)", transfer(JANE, { timeoutSeconds: 1 }), TRANSFER],
    ["a removal with transferTo", entry({ email: JANE, transferTo: LEAD, timeoutSeconds: 1 }), REMOVAL],
  ] as const) {
    it(`${what}: the next up with the same file follows it to the end, without refusing the run or starting it twice`, async () => {
      s.portal.options.taskDurationMs = 4000;
      try {
        const stack = new Stack();
        const first = await stack.up([line], BEFORE);
        expect(failed(first)).toEqual([expect.stringContaining("still running")]);
        // Each later run follows the same task (it may still be running after 1 s), until it is done.
        for (let run = 0; ; run++) {
          const again = await stack.up([line], BEFORE);
          expect(again.refused).toEqual([]);
          if (failed(again).length === 0) break;
          expect(failed(again)).toEqual([expect.stringContaining("still running")]);
          expect(run).toBeLessThan(10);
        }
        expect(tasksOf(USERS.jane)).toHaveLength(1);
        expect(stack.outputs(type, JANE)).toMatchObject({ status: "Completed" });
      } finally {
        s.portal.options.taskDurationMs = 200;
      }
    });
  }
});

describe("taking an entry out never re-enables an account in the middle of something", () => {
  it("a transfer still running: the records are dropped, the transfer is left to finish, the account stays disabled; nothing written", async () => {
    s.portal.options.taskDurationMs = 6000;
    const stack = new Stack();
    const first = await stack.up([transfer(JANE, { timeoutSeconds: 1 })], BEFORE);
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ status: "Running" });
    expect(failed(first)).toEqual([expect.stringContaining("still running")]);
    const out = await stack.up([], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(out.steps.find((x) => x.type === SUSPENSION)).toMatchObject({ kind: "delete", ok: true });
    expect(out.writes).toEqual([]);
    expect(stack.state.size).toBe(0);
    expect(statusesOf(USERS.jane)).toEqual([2]);
    expect(tasksOf(USERS.jane)).toHaveLength(1);
  });

  it("an account re-enabled outside meanwhile is left as it is (no second enable)", async () => {
    const stack = new Stack();
    await stack.up([disable(JANE)], BEFORE);
    s.portal.liveUser(USERS.jane)!.status = 1;
    const out = await stack.up([], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(out.writes).toEqual([]);
    expect(stack.state.size).toBe(0);
  });
});

describe("taking a disable entry out never re-enables an account someone else disabled after this stack did", () => {
  /** Another admin (Dana) changing the status through the web UI's route, PUT people/status/{status}. */
  async function statusByAnotherAdmin(status: 1 | 2, id: string): Promise<void> {
    const res = await fetch(`${s.url}/api/2.0/people/status/${status}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${KEYS.admin}`, "content-type": "application/json" },
      body: JSON.stringify({ userIds: [id], resendAll: false }),
    });
    expect(res.status).toBe(200);
  }

  /** Every status change of `id` as the portal recorded it: [status, who]. */
  const changesOf = (id: string): Array<[number, string]> => s.portal.statusChanges.filter((c) => c.userIds.includes(id)).map((c) => [c.status, c.callerId]);

  for (const how of ["the entry taken out", "pulumi destroy"] as const) {
    it(`re-enabled and disabled again by another admin between two runs, then ${how}: it stays disabled`, async () => {
      const stack = new Stack();
      await stack.up([disable(JANE)], BEFORE);
      expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ disabledByStack: true });
      await statusByAnotherAdmin(1, USERS.jane);
      await statusByAnotherAdmin(2, USERS.jane); // say, the account was compromised
      // The real server writes no `terminated` on this route (docspace-api.md 7.9): none is left, as there.
      s.portal.liveUser(USERS.jane)!.terminatedAt = undefined;

      const out = how === "pulumi destroy" ? await stack.destroy(BEFORE) : await stack.up([], BEFORE);
      expect(failed(out)).toEqual([]);
      expect(out.writes).toEqual([]);
      expect(stack.state.size).toBe(0);
      expect(changesOf(USERS.jane)).toEqual([
        [2, USERS.owner],
        [1, USERS.admin],
        [2, USERS.admin],
      ]);
      expect(s.portal.liveUser(USERS.jane)!.status).toBe(2);
    });
  }
});

describe("pulumi destroy", () => {
  it("drops every record and writes nothing: nobody is removed, re-enabled or written to, not even an account a disable entry of this stack disabled", async () => {
    const stack = new Stack();
    const file = [disable(JANE), disable(SAM), entry({ email: MARK }), removeOn(NORA, DUE)];
    const first = await stack.up(file, BEFORE);
    expect(failed(first)).toEqual([]);
    s.portal.failNext.set(USERS.nora, "Could not delete personal folder");
    const due = await stack.up(file, DUE);
    expect(failed(due)).toEqual([expect.stringContaining("Could not delete personal folder")]);
    expect(stack.outputs(SUSPENSION, NORA)).toMatchObject({ handedOver: true, disabledByStack: true });
    expect(stack.outputs(REMOVAL, NORA)).toMatchObject({ status: "Failed" });
    expect(stack.outputs(REMOVAL, MARK)).toMatchObject({ status: "Completed" });
    const tasksBefore = s.portal.startedTasks.length;

    const out = await stack.destroy(DUE);
    expect(failed(out)).toEqual([]);
    expect(stack.state.size).toBe(0);
    expect(out.writes).toEqual([]);
    expect(s.portal.statusChanges.filter((c) => c.status === 1)).toEqual([]);
    expect(s.portal.startedTasks).toHaveLength(tasksBefore);
    expect(s.portal.liveUser(USERS.jane)!.status).toBe(2);
    expect(s.portal.liveUser(USERS.sam)!.status).toBe(2);
    expect(s.portal.liveUser(USERS.nora)!.status).toBe(2);
    expect(s.portal.liveUser(USERS.mark)).toBeUndefined();
  });
});

describe("a preview-only run", () => {
  /** A pull-request job's key: it may read, not write. */
  const READ_ONLY_KEY = "sk-sim-readonly-process-5e1a9c3b7d2f4086";

  it("plans a suspension but refuses its create, writing nothing", async () => {
    s.portal.addApiKey(USERS.owner, READ_ONLY_KEY, ["accounts:read", "accounts.self:read", "*:read"], "ci preview key");
    const stack = new Stack();
    const out = await stack.up([disable(JANE)], BEFORE, { key: READ_ONLY_KEY, env: { DOCSPACE_PREVIEW_ONLY: "1" } });
    expect(out.refused).toEqual([]);
    expect(out.steps).toEqual([expect.objectContaining({ kind: "create", ok: false, error: expect.stringContaining("preview-only") })]);
    expect(out.writes).toEqual([]);
    expect(stack.state.size).toBe(0);
    expect(s.portal.statusChanges).toEqual([]);
  });

  it("an entry taken out in a preview-only run: the record goes (nothing to write at the portal), the account stays disabled", async () => {
    const stack = new Stack();
    await stack.up([disable(JANE)], BEFORE);
    const out = await stack.up([], BEFORE, { env: { DOCSPACE_PREVIEW_ONLY: "1" } });
    expect(out.steps).toEqual([expect.objectContaining({ kind: "delete", ok: true })]);
    expect(out.writes).toEqual([]);
    expect(stack.state.size).toBe(0);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });
});

describe("found by a second reading: the edges of re-enabling and of 'done'", () => {
  it("a transfer that failed in DocSpace is started again by the next run, not recorded done because nothing is 'left to transfer'", async () => {
    const stack = new Stack();
    s.portal.failNext.set(USERS.jane, "Could not move shared files");
    const first = await stack.up([transfer(JANE)], BEFORE);
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ status: "Failed" });
    expect(failed(first)).toHaveLength(1);
    const again = await stack.up([transfer(JANE)], BEFORE);
    expect(failed(again)).toEqual([]);
    expect(tasksOf(USERS.jane)).toEqual([
      { kind: "reassign", deleteProfile: false, toUserId: USERS.teamLead },
      { kind: "reassign", deleteProfile: false, toUserId: USERS.teamLead },
    ]);
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ status: "Completed", evidence: expect.stringContaining("status 2 (Completed)") });
  });

  it("a hand-over to a removal is never undone: a failed removal turned back into `disable`, then taken out, leaves the account disabled", async () => {
    const stack = new Stack();
    await stack.up([removeOn(JANE, DUE)], BEFORE);
    s.portal.failNext.set(USERS.jane, "Could not delete personal folder");
    await stack.up([removeOn(JANE, DUE)], DUE);
    expect(stack.outputs(REMOVAL, JANE)).toMatchObject({ status: "Failed" });
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ handedOver: true });
    await stack.up([disable(JANE)], DUE);
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ handedOver: true });
    const out = await stack.up([], DUE);
    expect(out.writes).toEqual([]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });

  it("an account disabled again by someone else after this stack disabled it (re-enabled in between) is not this stack's to re-enable", async () => {
    const stack = new Stack();
    await stack.up([disable(JANE)], BEFORE);
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ disabledByStack: true });
    // Outside the tool, later: re-enabled, then disabled again (say, a compromised account) through
    // a route that does write `terminated` (PUT people/{userid} with disable). Not re-enabled either.
    s.portal.liveUser(USERS.jane)!.terminatedAt = new Date(Date.now() + 60 * 60_000);
    const out = await stack.up([], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(out.writes).toEqual([]);
    expect(statusesOf(USERS.jane)).toEqual([2]);
  });

  it("a disable whose answer is lost (DocSpace did it) is still recorded as this stack's; taking the entry out leaves it disabled", async () => {
    const stack = new Stack();
    s.inject({ route: "PUT people/status/{status}", kind: "applied-then-503", times: 20 });
    const first = await stack.up([disable(JANE)], BEFORE, { env: { DOCSPACE_MAX_RETRIES: "1" } });
    expect(failed(first)).toEqual([]);
    expect(s.portal.liveUser(USERS.jane)!.status).toBe(2);
    expect(stack.outputs(SUSPENSION, JANE)).toMatchObject({ status: "Disabled", disabledByStack: true });
    s.clearFaults();
    const out = await stack.up([], BEFORE);
    expect(failed(out)).toEqual([]);
    expect(out.writes).toEqual([]);
    expect(statusesOf(USERS.jane)).not.toContain(1);
    expect(s.portal.liveUser(USERS.jane)!.status).toBe(2);
  });
});

describe("a due removal behind its entry's own transfer, when that transfer has finished", () => {
  it("someone else's transfer running now: the preview refuses what the up would refuse, and nothing is started", async () => {
    const stack = new Stack();
    const line = transfer(JANE, { removeAfter: DUE });
    const first = await stack.up([line], BEFORE);
    expect(failed(first)).toEqual([]);
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ status: "Completed" });
    // On the due day someone else is moving Jane's data (to the owner) in DocSpace.
    s.portal.options.taskDurationMs = 60_000;
    try {
      s.portal.startReassign(s.portal.liveUser(USERS.owner)!, USERS.jane, USERS.owner, false);
      const preview = await stack.preview([line], DUE);
      const refused = preview.plan.filter((p) => p.kind === "refused");
      expect(refused.map((p) => `${p.type} ${p.failures?.map((f) => f.reason).join(" ")}`)).toEqual([expect.stringMatching(/UserRemoval.*already running/)]);
      expect(preview.writes).toEqual([]);
      const up = await stack.up([line], DUE);
      expect(up.writes).toEqual([]);
      expect(tasksOf(USERS.jane).filter((t) => t.kind === "remove")).toEqual([]);
    } finally {
      s.portal.options.taskDurationMs = 200;
    }
  });
});
