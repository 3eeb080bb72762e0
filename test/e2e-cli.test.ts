/**
 * End to end with the real Pulumi CLI (built by `npm run cli`), a local file backend and the
 * passphrase secrets provider, against the simulator. Every outcome is asserted from the
 * simulator's own record. Runs where `pulumi` is on PATH; CI sets PULUMI_DOCSPACE_E2E=required,
 * so a missing CLI fails there instead of skipping.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initCliStack, KEYS, localBackendEnv, pulumiCliOnPath, ROOT, runCommand, startSimulator, USERS, writesTo, type CommandResult, type Simulator } from "./helpers";
import { ProcessTree } from "./process-tree";

const hasCli = pulumiCliOnPath("e2e-cli");

interface Run {
  code: number | null;
  out: string;
}

describe.skipIf(!hasCli)("the real pulumi CLI against the simulator (local backend)", () => {
  let s: Simulator;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const stack = `e2e-${process.pid}`;

  /** Runs pulumi without blocking this process: the simulator lives here and must keep answering. */
  function pulumi(args: string[], input?: string): Promise<CommandResult> {
    return runCommand("pulumi", [...args, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env, input });
  }

  /** Every process tree an interrupting test started: whatever is still running at the end is ended, by id. */
  const trees: ProcessTree[] = [];

  /**
   * Starts pulumi and returns the process, for tests that interrupt it, with a tracker of every
   * process below it. `pulumi` starts its language host and provider host in process groups of
   * their own, so killing the CLI (or its group) would leave them running, orphaned; `tree.killAll()`
   * takes down what a lost CI runner would: the CLI, its language host, the program and the
   * provider host.
   */
  function pulumiProcess(args: string[]): { child: ChildProcess; tree: ProcessTree; done: Promise<Run> } {
    const child = spawn("pulumi", [...args, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const tree = new ProcessTree(child.pid!);
    trees.push(tree);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const done = new Promise<Run>((resolve) => child.on("close", (code) => resolve({ code, out })));
    return { child, tree, done };
  }

  /** A fresh account for one test (the tests share one portal and one stack). */
  function leaver(name: string): { id: string; email: string } {
    const u = s.portal.addUser({ email: `${name}.e2e@example.com` });
    return { id: u.id, email: u.email };
  }

  const startsFor = (id: string): number => s.portal.startedTasks.filter((t) => t.userId === id).length;

  async function until(cond: () => boolean, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("timed out waiting");
      s.portal.advance();
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  function entries(lines: string[]): void {
    writeFileSync(file, ["version: 1", "removals:", ...lines].join("\n") + "\n");
  }

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 500, rateLimits: {} }); // DocSpace's default limits
    dir = mkdtempSync(join(tmpdir(), "pulumi-e2e-"));
    file = join(dir, "offboarding.yaml");
    env = localBackendEnv(dir);
    await initCliStack(stack, env, { "docspace:url": s.url, "docspace:offboardingFile": file }, KEYS.owner);
  }, 120_000);

  afterAll(async () => {
    for (const tree of trees) tree.killAll();
    await pulumi(["stack", "rm", "--yes", "--force"]);
    rmSync(dir, { recursive: true, force: true });
    await s?.stop();
  }, 120_000);

  it("1. preview --diff of a clean file names each planned removal, writes nothing, and never shows the key", async () => {
    entries(["  - email: jane.doe@example.com", "  - email: nora.north@example.com", "    transferTo: team.lead@example.com"]);
    const r = await pulumi(["preview", "--diff"]);
    expect(r.code, r.out).toBe(0);
    for (const who of ["jane.doe@example.com", "nora.north@example.com"]) {
      expect(r.out).toMatch(new RegExp(`\\+ pulumi-nodejs:dynamic/docspace:UserRemoval: \\(create\\)\\s+\\[urn=[^\\]]*UserRemoval::${who.replace(/\./g, "\\.")}\\]`));
    }
    expect(writesTo(s)).toEqual([]);
    expect(r.out).not.toContain(KEYS.owner);
  }, 180_000);

  it("2. a preview of the mistakes example names every mistake in one run, with its line, and touches nothing", async () => {
    expect((await pulumi(["config", "set", "docspace:offboardingFile", join(ROOT, "examples", "offboarding", "mistakes.yaml")])).code).toBe(0);
    try {
      const r = await pulumi(["preview"]);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/mistakes\.yaml:5: olivia\.owner@example\.com: .*portal owner/);
      expect(r.out).toMatch(/mistakes\.yaml:6: jane\.doe@exmaple\.com: No DocSpace account has the email/);
      expect(r.out).toMatch(/mistakes\.yaml:7: admin\.bob@example\.com: .*allowAdmin: true/);
      expect(r.out).toMatch(/mistakes\.yaml:8: nora\.north@example\.com: .*not active/);
      expect(writesTo(s)).toEqual([]);
    } finally {
      await pulumi(["config", "set", "docspace:offboardingFile", file]);
    }
  }, 180_000);

  it("3. up, then preview --expect-no-changes, refresh, destroy (zero writes), and the key only encrypted in the state", async () => {
    entries(["  - email: jane.doe@example.com", "  - email: nora.north@example.com", "    transferTo: team.lead@example.com"]);
    const up = await pulumi(["up", "--yes"]);
    expect(up.code, up.out).toBe(0);
    expect(s.portal.startedTasks.map((t) => t.userId).sort()).toEqual([USERS.jane, USERS.nora].sort());
    expect(s.portal.liveUser(USERS.jane)).toBeUndefined();
    expect(up.out).not.toContain(KEYS.owner);
    // The program's stack outputs carry each removal's outcome (resource outputs reach the program).
    const outputs = await pulumi(["stack", "output", "--json"]);
    const parsed = JSON.parse(outputs.out) as { accounts: Record<string, { status?: string }>; totals: Record<string, number> };
    expect(parsed.accounts["jane.doe@example.com"]?.status).toBe("Completed");
    expect(parsed.totals).toEqual({ total: 2, Completed: 2 });
    const again = await pulumi(["preview", "--expect-no-changes"]);
    expect(again.code, again.out).toBe(0);
    const refresh = await pulumi(["refresh", "--yes", "--expect-no-changes"]);
    expect(refresh.code, refresh.out).toBe(0);
    const exported = await pulumi(["stack", "export"]);
    expect(exported.code).toBe(0);
    expect(exported.out).not.toContain(KEYS.owner);
    expect(exported.out).toContain('"docspace:apiKey"');
    const writes = s.writes().length;
    const destroy = await pulumi(["destroy", "--yes"]);
    expect(destroy.code, destroy.out).toBe(0);
    expect(s.writes()).toHaveLength(writes);
    expect(s.portal.startedTasks).toHaveLength(2);
  }, 300_000);

  it("7. up --yes --skip-preview with more new removals than the guard allows is refused before the first start", async () => {
    const extra = ["mark.lee@example.com", "paul.park@example.com", "john.smith@example.com"];
    entries(extra.map((e) => `  - email: ${e}`));
    expect((await pulumi(["config", "set", "docspace:maxRemovalsPerRun", "2"])).code).toBe(0);
    const before = s.portal.startedTasks.length;
    const writesBefore = writesTo(s).length;
    const r = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/3 removals would start in this run, more than docspace:maxRemovalsPerRun \(2\)/);
    expect(s.portal.startedTasks.length - before).toBe(0);
    expect(writesTo(s).length).toBe(writesBefore);
    await pulumi(["config", "rm", "docspace:maxRemovalsPerRun"]);
  }, 300_000);
  it("4. adding, removing and reordering entries: only the new entry starts; a removed entry is dropped with zero writes", async () => {
    const [a, b, c] = [leaver("add-a"), leaver("add-b"), leaver("add-c")];
    entries([`  - email: ${a.email}`, `  - email: ${b.email}`]);
    expect((await pulumi(["up", "--yes"])).code).toBe(0);
    const writesBefore = writesTo(s).length;
    entries([`  - email: ${c.email}`, `  - email: ${a.email}`]); // b removed, c added, order changed
    const r = await pulumi(["up", "--yes"]);
    expect(r.code, r.out).toBe(0);
    expect([startsFor(a.id), startsFor(b.id), startsFor(c.id)]).toEqual([1, 1, 1]);
    expect(writesTo(s).slice(writesBefore)).toEqual(["PUT people/status/{status}", "POST people/remove/start"]);
    const exported = await pulumi(["stack", "export"]);
    expect(exported.out).not.toContain(b.email);
    expect(exported.out).toContain(c.email);
  }, 300_000);

  it("5. a task that fails: up exits non-zero naming the account; the next up resumes it with exactly one new start", async () => {
    const d = leaver("fails");
    s.portal.failNext.set(d.id, "Storage is read-only");
    entries([`  - email: ${d.email}`]);
    const first = await pulumi(["up", "--yes"]);
    expect(first.code).not.toBe(0);
    expect(first.out).toContain(d.email);
    expect(first.out).toContain("Storage is read-only");
    expect(startsFor(d.id)).toBe(1);
    const second = await pulumi(["up", "--yes"]);
    expect(second.code, second.out).toBe(0);
    expect(startsFor(d.id)).toBe(2);
    expect(s.portal.liveUser(d.id)).toBeUndefined();
    expect((await pulumi(["preview", "--expect-no-changes"])).code).toBe(0);
  }, 300_000);

  it("6a. up killed (SIGKILL) right after a start was accepted: cancel, clear the pending create, up again: removed once, no second task", async () => {
    s.portal.options.taskDurationMs = 40_000; // still running when the next up looks
    const k = leaver("killed");
    entries([`  - email: ${k.email}`]);
    try {
      const run = pulumiProcess(["up", "--yes", "--skip-preview"]);
      await until(() => startsFor(k.id) === 1);
      run.tree.killAll();
      await run.done;
      const cancel = await pulumi(["cancel", "--yes"]);
      expect(cancel.code, cancel.out).toBe(0);
      const clear = await pulumi(["refresh", "--clear-pending-creates", "--yes"]);
      expect(clear.code, clear.out).toBe(0);
      const again = await pulumi(["up", "--yes"]);
      expect(again.code, again.out).toBe(0);
      expect(startsFor(k.id)).toBe(1);
      expect(s.portal.liveUser(k.id)).toBeUndefined();
    } finally {
      s.portal.options.taskDurationMs = 500;
    }
  }, 300_000);

  it("6b. up interrupted (SIGINT) right after a start was accepted: the engine lets the create finish; the next up has nothing to do", async () => {
    s.portal.options.taskDurationMs = 3000;
    const i = leaver("interrupted");
    entries([`  - email: ${i.email}`]);
    try {
      const run = pulumiProcess(["up", "--yes", "--skip-preview"]);
      await until(() => startsFor(i.id) === 1);
      run.child.kill("SIGINT");
      await run.done;
      run.tree.killAll(); // the engine ends its plugins on a graceful stop; anything it did not is ended here
      await until(() => s.portal.liveUser(i.id) === undefined);
      const again = await pulumi(["up", "--yes"]);
      expect(again.code, again.out).toBe(0);
      expect(startsFor(i.id)).toBe(1);
    } finally {
      s.portal.options.taskDurationMs = 500;
    }
  }, 300_000);

  it("6c. killed, and the removal finished before the next run: the guidance names alreadyRemoved, which records it without a start", async () => {
    s.portal.options.taskDurationMs = 1500;
    const g = leaver("gone-meanwhile");
    entries([`  - email: ${g.email}`]);
    try {
      const run = pulumiProcess(["up", "--yes", "--skip-preview"]);
      await until(() => startsFor(g.id) === 1);
      run.tree.killAll();
      await run.done;
      await until(() => s.portal.liveUser(g.id) === undefined);
      expect((await pulumi(["cancel", "--yes"])).code).toBe(0);
      expect((await pulumi(["refresh", "--clear-pending-creates", "--yes"])).code).toBe(0);
      const stuck = await pulumi(["up", "--yes"]);
      expect(stuck.code).not.toBe(0);
      expect(stuck.out).toMatch(/alreadyRemoved: true/);
      entries([`  - email: ${g.email}`, "    alreadyRemoved: true"]);
      const recorded = await pulumi(["up", "--yes"]);
      expect(recorded.code, recorded.out).toBe(0);
      expect(startsFor(g.id)).toBe(1);
      expect((await pulumi(["preview", "--expect-no-changes"])).code).toBe(0);
    } finally {
      s.portal.options.taskDurationMs = 500;
    }
  }, 300_000);

  it("8. a task longer than timeoutSeconds: up ends with it in progress; a later refresh follows it to Completed without a second start", async () => {
    s.portal.options.taskDurationMs = 5000;
    const l = leaver("long");
    entries([`  - email: ${l.email}`, "    timeoutSeconds: 1"]);
    try {
      const first = await pulumi(["up", "--yes"]);
      expect(first.code).not.toBe(0);
      expect(first.out).toMatch(/still running in DocSpace after 1 s/);
      await until(() => s.portal.liveUser(l.id) === undefined);
      const refresh = await pulumi(["refresh", "--yes"]);
      expect(refresh.code, refresh.out).toBe(0);
      // Refresh updates the resource's state.
      const exported = JSON.parse((await pulumi(["stack", "export"])).out) as { deployment: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> } };
      const record = exported.deployment.resources.find((x) => x.type.endsWith("UserRemoval") && x.outputs?.email === l.email);
      expect(record?.outputs).toMatchObject({ status: "Completed", evidence: expect.stringContaining("404") });
      expect((await pulumi(["up", "--yes"])).code).toBe(0);
      // The account is gone by then: the program no longer reads the record (its proof is in the state, and in the audit).
      const outputs = JSON.parse((await pulumi(["stack", "output", "--json"])).out) as { accounts: Record<string, unknown> };
      expect(outputs.accounts[l.email]).toEqual({ action: "remove", notAtDocSpace: true });
      expect(startsFor(l.id)).toBe(1);
    } finally {
      s.portal.options.taskDurationMs = 500;
    }
  }, 300_000);

  it("9. 50 entries at the engine's default parallelism against DocSpace's default limits: zero failures, each removed once", async () => {
    const many = Array.from({ length: 50 }, (_, n) => leaver(`bulk${n}`));
    entries(many.map((m) => `  - email: ${m.email}`));
    expect((await pulumi(["config", "set", "docspace:maxRemovalsPerRun", "50"])).code).toBe(0);
    try {
      const r = await pulumi(["up", "--yes"]);
      expect(r.code, r.out).toBe(0);
      for (const m of many) expect(startsFor(m.id), m.email).toBe(1);
      expect(many.every((m) => s.portal.liveUser(m.id) === undefined)).toBe(true);
      expect(s.log.filter((x) => x.status === 429)).toHaveLength(0);
    } finally {
      await pulumi(["config", "rm", "docspace:maxRemovalsPerRun"]);
    }
  }, 600_000);
});
