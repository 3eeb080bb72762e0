/**
 * Offboarding as a process (issue 12), its edges: the account changed outside the tool between
 * runs, one account in two entries, transfers that outlive timeoutSeconds, entries taken out,
 * `pulumi destroy`, preview-only runs. Same machinery and record as offboarding-process.test.ts
 * (offboarding-process-stack.ts): one provider host per run, asserted from the simulator's record.
 */
import { describe, expect, it } from "vitest";
import { hostModule, HOST_ENV, KEYS, lifecycle, pkg, ROOT, USERS } from "./helpers";
import { clock, disable, DUE, entry, failed, JANE, LEAD, MARK, NORA, REMOVAL, removeOn, s, SAM, simulatorPerTest, Stack, statusesOf, SUSPENSION, tasksOf, transfer, TRANSFER, BEFORE } from "./offboarding-process-stack";

simulatorPerTest();

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
    // The removal finishes while nobody watches: its simulated time is skipped, not waited for.
    while (s.portal.liveUser(USERS.jane)) {
      clock.skip(50);
      s.portal.advance();
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
