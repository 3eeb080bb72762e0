/**
 * Offboarding as a process, end to end with the real Pulumi CLI (built by `npm run cli`), a local
 * file backend and the simulator: disable now, transfer and keep, remove on a date. The clock is
 * moved between three `pulumi up` runs with `docspace:today` (and DOCSPACE_TODAY once). Every
 * outcome is asserted from the simulator's own record. Runs where `pulumi` is on PATH; with
 * PULUMI_DOCSPACE_E2E=required a missing CLI fails instead of skipping.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropCliStack, KEYS, localBackendEnv, pulumiCliOnPath, ROOT, runCommand, startSimulator, USERS, writesTo, type CommandResult, type Simulator } from "./helpers";

const hasCli = pulumiCliOnPath("e2e-process");

/** The date the dated entry is removed on, and the days the runs are made on. */
const REMOVE_AFTER = "2031-06-30";
const WELL_BEFORE = "2031-06-01"; // 29 days before
const STILL_BEFORE = "2031-06-15"; // 15 days before

interface AccountOutput {
  action: string;
  status: string;
  mode?: string;
  removeAfter?: string;
  removalDue?: boolean;
  disabledByStack?: boolean;
}

describe.skipIf(!hasCli)("offboarding as a process with the real pulumi CLI: disable, the date passes, removal", () => {
  let s: Simulator;
  let dir: string;
  let file: string;
  let stackConfig: string;
  let env: NodeJS.ProcessEnv;
  const stack = `e2e-process-${process.pid}`;
  // Fresh accounts, so that the seed's people are untouched and every write can be attributed.
  let dated: { id: string; email: string };
  let disabled: { id: string; email: string };
  let transferred: { id: string; email: string };
  let roomId: number;

  /**
   * Runs pulumi without blocking this process: the simulator lives here and must keep answering.
   * The stack's settings live in the temporary folder (--config-file), not in the repository as
   * Pulumi.<stack>.yaml, where a commit made during the run would pick them up.
   */
  function pulumi(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
    const settings = ["up", "preview", "destroy", "refresh", "config"].includes(args[0]!) ? ["--config-file", stackConfig] : [];
    return runCommand("pulumi", [...args, ...settings, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env: { ...env, ...opts.env }, input: opts.input });
  }

  async function setConfig(key: string, value: string): Promise<void> {
    const r = await pulumi(["config", "set", key, value]);
    expect(r.code, r.out).toBe(0);
  }

  function entries(lines: string[]): void {
    writeFileSync(file, ["version: 1", "removals:", ...lines].join("\n") + "\n");
  }

  const datedEntry = (): string[] => [`  - email: ${dated.email}`, `    removeAfter: "${REMOVE_AFTER}"`];
  const disableEntry = (): string[] => [`  - email: ${disabled.email}`, "    action: disable"];
  const transferEntry = (): string[] => [`  - email: ${transferred.email}`, "    action: transfer", "    transferTo: team.lead@example.com"];

  /** Writes since `from` in the simulator's log, as "METHOD route". */
  const writesSince = (from: number): string[] => writesTo(s).slice(from);
  /** The {status} of each PUT people/status since `from` (an index into the writes). */
  const statusPutsSince = (from: number): string[] => s.writes().slice(from).filter((w) => w.method === "PUT" && w.route === "people/status/{status}").map((w) => w.path.split("/").pop()!);
  /** Status changes since `from` (an index into statusChanges), as "status:userId" (1 enables, 2 disables). */
  const statusSince = (from: number): string[] => s.portal.statusChanges.slice(from).flatMap((c) => c.userIds.map((id) => `${c.status}:${id}`));
  const tasksFor = (id: string, kind: "remove" | "reassign"): number => s.portal.startedTasks.filter((t) => t.userId === id && t.kind === kind).length;
  const reEnables = (): string[] => s.portal.statusChanges.filter((c) => c.status === 1).flatMap((c) => c.userIds);
  /** The preview half of `pulumi up` output (before the update itself starts). */
  const previewPart = (out: string): string => out.split(/^Updating \(/m)[0]!;

  async function outputs(): Promise<Record<string, AccountOutput>> {
    const r = await pulumi(["stack", "output", "--json"]);
    expect(r.code, r.out).toBe(0);
    return (JSON.parse(r.stdout) as { accounts: Record<string, AccountOutput> }).accounts;
  }

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 500, rateLimits: {} }); // DocSpace's default limits
    const add = (name: string): { id: string; email: string } => {
      const u = s.portal.addUser({ email: `${name}.process@example.com` });
      return { id: u.id, email: u.email };
    };
    dated = add("dated");
    disabled = add("paused");
    transferred = add("mover");
    roomId = s.portal.addRoom({ title: "Mover's projects", ownerId: transferred.id }).id;
    dir = mkdtempSync(join(tmpdir(), "pulumi-e2e-process-"));
    file = join(dir, "offboarding.yaml");
    env = localBackendEnv(dir);
    delete env.DOCSPACE_TODAY; // the runs set the clock themselves
    stackConfig = join(dir, `Pulumi.${stack}.yaml`);
    const init = spawnSync("pulumi", ["stack", "init", stack, "--cwd", ROOT, "--non-interactive"], { env, encoding: "utf8" });
    expect(init.status, init.stderr).toBe(0);
    // `stack init` has no --config-file; the file it writes holds only a passphrase salt, and the
    // first `config set --secret` below writes a fresh one to stackConfig.
    rmSync(join(ROOT, `Pulumi.${stack}.yaml`), { force: true });
    await setConfig("docspace:url", s.url);
    await setConfig("docspace:offboardingFile", file);
    expect((await pulumi(["config", "set", "--secret", "docspace:apiKey"], { input: KEYS.owner })).code).toBe(0);
  }, 120_000);

  afterAll(() => dropCliStack(stack, env, dir, s), 120_000);

  it("three ups across the date: disabled and transferred first, nothing while waiting, removed on the day; never re-enabled on the way", async () => {
    entries([...datedEntry(), ...disableEntry(), ...transferEntry()]);

    // ---- up #1, well before the date: disable two, transfer one (keeping its profile), remove nobody.
    await setConfig("docspace:today", WELL_BEFORE);
    let writes = writesTo(s).length;
    let changes = s.portal.statusChanges.length;
    const first = await pulumi(["up", "--yes"]);
    expect(first.code, first.out).toBe(0);
    expect(previewPart(first.out)).toContain(`removal due on ${REMOVE_AFTER} (in 29 days)`);
    // The preview says which way each suspension would go if its entry were taken out.
    expect(previewPart(first.out)).toContain(`${disabled.email} (disable): disabled (signed out everywhere; reversible); this run disables it; taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back`);
    expect(statusSince(changes).sort()).toEqual([`2:${dated.id}`, `2:${disabled.id}`, `2:${transferred.id}`].sort());
    // Disables at the same moment share one PUT (docspace/account-reads.ts batches them): count per account above.
    expect(writesSince(writes).filter((w) => w !== "PUT people/status/{status}")).toEqual(["POST people/reassign/start"]);
    expect(new Set(statusPutsSince(writes))).toEqual(new Set(["2"]));
    // The simulator's log keeps no bodies; its task record holds what reassign/start was asked.
    const reassigns = s.portal.startedTasks.filter((t) => t.kind === "reassign");
    expect(reassigns.map(({ userId, toUserId, deleteProfile }) => ({ userId, toUserId, deleteProfile }))).toEqual([{ userId: transferred.id, toUserId: USERS.teamLead, deleteProfile: false }]);
    expect(s.portal.startedTasks.filter((t) => t.kind === "remove")).toHaveLength(0);
    expect(s.portal.rooms.get(roomId)?.ownerId).toBe(USERS.teamLead);
    for (const a of [dated, disabled, transferred]) expect(s.portal.liveUser(a.id)?.status, a.email).toBe(2); // disabled, profile kept
    let accounts = await outputs();
    expect(accounts[dated.email]).toMatchObject({ action: "remove", status: "Disabled", removeAfter: REMOVE_AFTER, removalDue: false, disabledByStack: true });
    expect(accounts[disabled.email]).toMatchObject({ action: "disable", status: "Disabled", disabledByStack: true });
    expect(accounts[transferred.email]).toMatchObject({ action: "transfer", status: "Completed", mode: "keep", disabledByStack: true });

    // ---- up #2, still before the date (the clock from DOCSPACE_TODAY this time): nothing is written.
    expect((await pulumi(["config", "rm", "docspace:today"])).code).toBe(0);
    const clock = { DOCSPACE_TODAY: STILL_BEFORE };
    writes = writesTo(s).length;
    const second = await pulumi(["up", "--yes"], { env: clock });
    expect(second.code, second.out).toBe(0);
    expect(previewPart(second.out)).toContain(`removal due on ${REMOVE_AFTER} (in 15 days)`); // the variable was read
    expect(previewPart(second.out)).toContain(`${disabled.email} (disable): disabled (signed out everywhere; reversible); already disabled; taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back`);
    const quiet = await pulumi(["preview", "--expect-no-changes"], { env: clock });
    expect(quiet.code, quiet.out).toBe(0);
    expect(writesSince(writes)).toEqual([]);

    // ---- up #3, on the date: the dated account is removed, once; its suspension is handed over.
    await setConfig("docspace:today", REMOVE_AFTER);
    writes = writesTo(s).length;
    changes = s.portal.statusChanges.length;
    const third = await pulumi(["up", "--yes"]);
    expect(third.code, third.out).toBe(0);
    const preview = previewPart(third.out);
    const at = (type: string, op: string): RegExp => new RegExp(`^\\s*\\${op}\\s.*docspace:${type}\\s+${dated.email.replace(/\./g, "\\.")}\\s+(create|update)`, "m");
    expect(preview).toMatch(at("UserRemoval", "+"));
    expect(preview).toMatch(at("AccountSuspension", "~"));
    expect(preview).toContain(`removal due on ${REMOVE_AFTER} (today): removed in this run`);
    expect(writesSince(writes)).toEqual(["POST people/remove/start"]);
    expect(statusSince(changes)).toEqual([]);
    expect(tasksFor(dated.id, "remove")).toBe(1);
    expect(s.portal.startedTasks.filter((t) => t.kind === "remove").map((t) => t.userId)).toEqual([dated.id]);
    expect(s.portal.liveUser(dated.id)).toBeUndefined();
    expect(s.portal.liveUser(disabled.id)?.status).toBe(2);
    expect(s.portal.liveUser(transferred.id)?.status).toBe(2);
    expect(tasksFor(transferred.id, "reassign")).toBe(1); // not transferred again
    expect(reEnables()).toEqual([]); // across all three runs, nobody was enabled again,
    expect(statusPutsSince(0)).not.toContain("1"); // nor even asked to be
    accounts = await outputs();
    expect(accounts[dated.email]).toMatchObject({ action: "remove", status: "Completed", mode: "remove", removeAfter: REMOVE_AFTER, removalDue: true });
    expect(accounts[disabled.email]).toMatchObject({ action: "disable", status: "Disabled", disabledByStack: true });
    expect(accounts[transferred.email]).toMatchObject({ action: "transfer", status: "Completed", mode: "keep" });
    const settled = await pulumi(["preview", "--expect-no-changes"]);
    expect(settled.code, settled.out).toBe(0);
  }, 600_000);

  it("taking the disable entry out drops its record and leaves the account disabled; destroy then removes, transfers and re-enables nobody", async () => {
    entries([...datedEntry(), ...transferEntry()]);
    let writes = writesTo(s).length;
    let changes = s.portal.statusChanges.length;
    const up = await pulumi(["up", "--yes"]);
    expect(up.code, up.out).toBe(0);
    expect(up.out).toMatch(new RegExp(`-\\s.*docspace:AccountSuspension\\s+${disabled.email.replace(/\./g, "\\.")}\\s+delet`));
    expect(writesSince(writes)).toEqual([]);
    expect(statusSince(changes)).toEqual([]);
    expect(s.portal.liveUser(disabled.id)?.status).toBe(2);
    expect(s.portal.liveUser(transferred.id)?.status).toBe(2);
    expect(reEnables()).toEqual([]);

    const removals = s.requests("POST people/remove/start").length;
    const reassigns = s.requests("POST people/reassign/start").length;
    writes = writesTo(s).length;
    changes = s.portal.statusChanges.length;
    const destroy = await pulumi(["destroy", "--yes"]);
    expect(destroy.code, destroy.out).toBe(0);
    expect(s.requests("POST people/remove/start")).toHaveLength(removals);
    expect(s.requests("POST people/reassign/start")).toHaveLength(reassigns);
    // A suspension's delete never re-enables (AccountSuspension delete): the transfer account this
    // stack disabled stays disabled too; the removed account stays removed; nothing is written.
    expect(statusSince(changes)).toEqual([]);
    expect(writesSince(writes)).toEqual([]);
    expect(reEnables()).toEqual([]);
    expect(s.portal.liveUser(transferred.id)?.status).toBe(2);
    expect(s.portal.liveUser(disabled.id)?.status).toBe(2);
    expect(s.portal.liveUser(dated.id)).toBeUndefined();
  }, 300_000);
});
