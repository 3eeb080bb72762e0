/**
 * Offboarding as a process (issue 12): disable, transfer and keep, remove on a date, and the
 * action changed between runs. The real program (offboarding file → resources, with its
 * whole-file look first) runs under Pulumi's mocks, and the real serialized providers run in
 * Pulumi's own dynamic-provider host, one host per run as the engine starts one per `pulumi up`.
 * What happened to people is asserted from the simulator's own record: its request log, its
 * status changes and the tasks it started. The machinery is in offboarding-process-stack.ts; the
 * edges (changes outside the tool, entries taken out, destroy, preview-only runs) are in
 * offboarding-process-edges.test.ts.
 */
import { describe, expect, it } from "vitest";
import { hostModule, HOST_ENV, KEYS, lifecycle, pkg, ROOT, USERS } from "./helpers";
import { clock, disable, DUE, entry, failed, JANE, kinds, LATER, LEAD, MARK, NORA, REMOVAL, removeOn, s, SAM, simulatorPerTest, Stack, statusesOf, SUSPENSION, tasksOf, transfer, TRANSFER, BEFORE } from "./offboarding-process-stack";

simulatorPerTest();

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
    // Jane's transfer takes a simulated minute: it is still running whenever the due run comes,
    // however slow the machine; later tasks (Nora's removal) are short. Its end is skipped to, not waited for.
    s.portal.options.taskDurationMs = 60_000;
    const stack = new Stack();
    const file = [transfer(JANE, { removeAfter: DUE, timeoutSeconds: 1 })];
    await stack.up(file, BEFORE);
    expect(stack.outputs(TRANSFER, JANE)).toMatchObject({ status: "Running" });
    s.portal.options.taskDurationMs = 200;

    // Due, with its transfer still running: nothing is refused; Nora is removed; Jane's removal waits.
    const waiting = await stack.up([...file, entry({ email: NORA })], DUE);
    expect(waiting.refused).toEqual([]);
    expect(waiting.log).toContain(`removal due on ${DUE} (today): removed in this run, once its transfer has finished`);
    expect(s.portal.liveUser(USERS.nora)).toBeUndefined();
    expect(tasksOf(USERS.jane)).toHaveLength(1);
    expect(stack.outputs(REMOVAL, JANE)).toBeUndefined();

    while (s.portal.startedTasks[0]!.status === 1) clock.skip(500);
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
