/**
 * UserRemoval's provider object, called directly (as a user or the host would) against the
 * simulator over real HTTP. Every rule of the resource issue has a test here.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFailure, KEYS, pkg, removalImpl, startSimulator, usePortal, USERS, wait, writesTo, type Simulator } from "./helpers";

const provider = pkg.userRemovalProvider;
type Props = Record<string, unknown>;
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

let s: Simulator;

beforeEach(async () => {
  s = await startSimulator({ taskDurationMs: 300 });
  usePortal(s.url, KEYS.owner);
});
afterEach(async () => s.stop());

async function check(news: Props, olds?: Props) {
  return provider.check!(olds ?? {}, news);
}

interface PartialFailure extends Error {
  id: string;
  properties: Props;
  reasons: string[];
}

const createFails = (inputs: Props): Promise<PartialFailure> => createFailure<PartialFailure>(provider, inputs);

describe("check: validation", () => {
  it("normalises inputs: trims and lower-cases emails", async () => {
    const r = await check({ email: "  Jane.Doe@Example.COM " });
    expect(r.failures ?? []).toEqual([]);
    expect(r.inputs).toEqual({ email: "jane.doe@example.com" });
  });

  it("needs exactly one of email or userId", async () => {
    expect((await check({})).failures).toEqual([expect.objectContaining({ property: "email", reason: expect.stringContaining("exactly one of email or userId") })]);
    expect((await check({ email: "jane.doe@example.com", userId: USERS.jane })).failures?.[0]?.reason).toContain("exactly one");
  });

  it("rejects bad emails, GUIDs, successors and timeouts with the property named", async () => {
    const failures = async (news: Props) => (await check(news)).failures?.map((f) => f.property);
    expect(await failures({ email: "not-an-email" })).toEqual(["email"]);
    expect(await failures({ userId: "../people/@self" })).toEqual(["userId"]);
    expect(await failures({ email: "jane.doe@example.com", transferTo: "https://evil.example" })).toEqual(["transferTo"]);
    expect(await failures({ email: "jane.doe@example.com", timeoutSeconds: 0 })).toEqual(["timeoutSeconds"]);
    expect(s.log).toHaveLength(0);
  });

  it("passes preview's unknown values through untouched, without asking the portal", async () => {
    const news = { email: UNKNOWN, transferTo: "team.lead@example.com" };
    expect(await check(news)).toEqual({ inputs: news });
    expect(s.log).toHaveLength(0);
  });
});

describe("check: read-only preflight, zero writes", () => {
  const refusal = async (news: Props, key: string = KEYS.owner) => {
    usePortal(s.url, key);
    const r = await check(news);
    expect(writesTo(s)).toEqual([]);
    return r.failures ?? [];
  };

  it("refuses an unknown account", async () => {
    const f = await refusal({ email: "nobody@example.com" });
    expect(f).toEqual([{ property: "email", reason: expect.stringContaining("No DocSpace account has the email nobody@example.com") }]);
  });

  it("refuses the portal owner", async () => {
    expect((await refusal({ email: "olivia.owner@example.com" }, KEYS.admin))[0]!.reason).toContain("is the portal owner");
  });

  it("refuses the key's own account", async () => {
    expect((await refusal({ userId: USERS.admin }, KEYS.admin))[0]!.reason).toContain("the account the API key belongs to");
  });

  it("refuses a DocSpace admin without allowAdmin, and with allowAdmin unless the key is the owner's", async () => {
    expect((await refusal({ email: "admin.bob@example.com" }))[0]).toMatchObject({ property: "allowAdmin", reason: expect.stringContaining("allowAdmin: true") });
    expect((await refusal({ email: "admin.bob@example.com", allowAdmin: true }, KEYS.admin))[0]!.reason).toContain("only the portal owner can remove a DocSpace admin");
    expect(await refusal({ email: "admin.bob@example.com", allowAdmin: true }, KEYS.owner)).toEqual([]);
  });

  it("refuses a successor that is unknown, disabled, or not a room admin / DocSpace admin", async () => {
    expect((await refusal({ email: "jane.doe@example.com", transferTo: "ghost@example.com" }))[0]).toMatchObject({ property: "transferTo", reason: expect.stringContaining("not a DocSpace account") });
    expect((await refusal({ email: "jane.doe@example.com", transferTo: "former.lead@example.com" }))[0]!.reason).toContain("not active");
    expect((await refusal({ email: "jane.doe@example.com", transferTo: "nora.north@example.com" }))[0]!.reason).toContain("is a User");
    expect((await refusal({ email: "jane.doe@example.com", transferTo: USERS.jane }))[0]!.reason).toContain("names the account being removed");
    expect(await refusal({ email: "jane.doe@example.com", transferTo: USERS.teamLead })).toEqual([]);
  });

  it("refuses when the key is not an admin's", async () => {
    expect((await refusal({ email: "jane.doe@example.com" }, KEYS.roomAdmin))[0]!.reason).toContain("only the portal owner and DocSpace admins can remove accounts");
  });

  it("refuses an active LDAP account (DocSpace will not let the API disable it)", async () => {
    expect((await refusal({ email: "ldap.larry@example.com" }))[0]!.reason).toContain("LDAP");
  });

  it("refuses one account listed twice, by email and by id", async () => {
    expect((await check({ email: "jane.doe@example.com" })).failures ?? []).toEqual([]);
    expect((await check({ email: "jane.doe@example.com" })).failures ?? []).toEqual([]); // the same entry checked again
    const twice = await check({ userId: USERS.jane });
    expect(twice.failures).toEqual([{ property: "userId", reason: `${USERS.jane} is the same DocSpace account as jane.doe@example.com, which is also listed; list each account once.` }]);
  });

  it("an account already in the state that is gone by now passes check, read-only (inputs from another version still count as the same account)", async () => {
    s.portal.liveUser(USERS.jane)!.removed = true;
    const r = await check({ email: "jane.doe@example.com", reason: "new reason" }, { email: "Jane.Doe@example.com", retiredOption: 1, timeoutSeconds: "old", __provider: "x" });
    expect(r.failures ?? []).toEqual([]);
    expect(writesTo(s)).toEqual([]);
  });

  it("guards against a mass removal: no more than docspace:maxRemovalsPerRun new accounts per run", async () => {
    usePortal(s.url, KEYS.owner, { DOCSPACE_MAX_REMOVALS_PER_RUN: "2" });
    expect((await check({ email: "jane.doe@example.com" })).failures ?? []).toEqual([]);
    expect((await check({ email: "nora.north@example.com" })).failures ?? []).toEqual([]);
    const third = await check({ email: "paul.park@example.com" });
    expect(third.failures?.[0]?.reason).toMatch(/more than 2 removals in one run.*docspace:maxRemovalsPerRun/);
    delete process.env.DOCSPACE_MAX_REMOVALS_PER_RUN;
  });
});

describe("create", () => {
  it("disables the account, then starts the removal, then follows it to Completed", async () => {
    const { id, outs } = await provider.create({ email: "jane.doe@example.com", reason: "HR-1" });
    expect(id).toBe(USERS.jane);
    expect(writesTo(s)).toEqual(["PUT people/status/{status}", "POST people/remove/start"]);
    expect(s.portal.statusChanges).toEqual([expect.objectContaining({ userIds: [USERS.jane], status: 2 })]);
    expect(outs).toMatchObject({
      userId: USERS.jane,
      email: "jane.doe@example.com",
      displayName: "Jane Doe",
      mode: "remove",
      taskId: `1_${USERS.jane}_RemoveProgressItem`,
      status: "Completed",
      percentage: 100,
      reason: "HR-1",
    });
    // Fields at their default (no error, allowAdmin false, the default timeout) are left out of the stored record.
    expect(Object.keys(outs)).not.toEqual(expect.arrayContaining(["error"]));
    expect(Date.parse(outs.completedAt)).toBeGreaterThanOrEqual(Date.parse(outs.startedAt));
    expect(s.portal.liveUser(USERS.jane)).toBeUndefined();
  });

  it("adopts a task that is already running instead of starting another", async () => {
    s.portal.options.taskDurationMs = 600;
    s.portal.setStatus(s.portal.liveUser(USERS.owner)!, 2, [USERS.mark]);
    s.portal.startRemove(s.portal.liveUser(USERS.owner)!, USERS.mark);
    const { outs } = await provider.create({ userId: USERS.mark });
    expect(outs.status).toBe("Completed");
    expect(writesTo(s)).toEqual([]);
    expect(s.portal.startedTasks).toHaveLength(1);
  });

  it("confirms a vanished task by the account being gone", async () => {
    s.portal.options.taskExpiryMs = 0; // forgotten the moment it finishes
    process.env.DOCSPACE_POLL_MIN_MS = "500";
    process.env.DOCSPACE_POLL_MAX_MS = "500";
    const { outs } = await provider.create({ email: "nora.north@example.com" });
    expect(outs.status).toBe("Completed");
    expect(s.requests("GET people/remove/progress/{userid}").length).toBeGreaterThan(0);
    expect(s.requests("GET people/{userid}").at(-1)!.status).toBe(404);
  });

  it("a failed task (status 4) fails the create with DocSpace's error and records a partial resource; the next up retries", async () => {
    s.portal.failNext.set(USERS.jane, "Storage is read-only");
    const e = await createFails({ email: "jane.doe@example.com" });
    expect(e.message).toContain("Storage is read-only");
    expect(e.id).toBe(USERS.jane);
    expect(e.properties).toMatchObject({ status: "Failed", error: "Storage is read-only", userId: USERS.jane });
    expect(s.portal.liveUser(USERS.jane)).toBeDefined();
    // The engine then calls update with the partial state as olds.
    const diff = await provider.diff!(e.id, e.properties, { email: "jane.doe@example.com" });
    expect(diff.changes).toBe(true);
    expect(diff.replaces ?? []).toEqual([]);
    const { outs } = await provider.update!(e.id, e.properties, { email: "jane.doe@example.com" });
    expect(outs.status).toBe("Completed");
    expect(s.portal.startedTasks).toHaveLength(2);
  });

  it("a deadline leaves it partially created as Running; the next up resumes without a second start", async () => {
    s.portal.options.taskDurationMs = 2500;
    const e = await createFails({ email: "jane.doe@example.com", timeoutSeconds: 1 });
    expect(e.message).toMatch(/still running .* it will not be started twice/);
    expect(e.properties.status).toBe("Running");
    const { outs } = await provider.update!(e.id, e.properties, { email: "jane.doe@example.com" });
    expect(outs.status).toBe("Completed");
    expect(s.portal.startedTasks).toHaveLength(1);
    expect(s.requests("POST people/remove/start")).toHaveLength(1);
  });

  it("a lost start answer (applied, then 503) is looked up, not repeated", async () => {
    s.inject({ route: "POST people/remove/start", kind: "applied-then-503" });
    const { outs } = await provider.create({ email: "jane.doe@example.com" });
    expect(outs.status).toBe("Completed");
    expect(s.requests("POST people/remove/start")).toHaveLength(1);
    expect(s.portal.startedTasks).toHaveLength(1);
  });

  it("with transferTo: reassign/start with deleteProfile to the successor", async () => {
    const { outs } = await provider.create({ email: "john.smith@example.com", transferTo: "team.lead@example.com" });
    expect(outs).toMatchObject({ mode: "transfer", transferTo: "team.lead@example.com", transferToId: USERS.teamLead, status: "Completed", taskId: `1_${USERS.john}_ReassignProgressItem` });
    expect(writesTo(s)).toEqual(["PUT people/status/{status}", "POST people/reassign/start"]);
    expect(s.portal.startedTasks[0]).toMatchObject({ kind: "reassign", toUserId: USERS.teamLead, deleteProfile: true });
    expect(s.portal.liveUser(USERS.john)).toBeUndefined();
  });

  it("refuses at create time too (create runs the same preflight)", async () => {
    await expect(provider.create({ email: "admin.bob@example.com" })).rejects.toThrow(/allowAdmin: true/);
    expect(writesTo(s)).toEqual([]);
  });
});

describe("read (refresh)", () => {
  it("keeps a completed removal completed after DocSpace forgets the task, without asking", async () => {
    const { outs } = await provider.create({ email: "jane.doe@example.com" });
    const before = s.log.length;
    const r = await provider.read!(USERS.jane, outs);
    expect(r).toEqual({ id: USERS.jane, props: outs });
    expect(s.log.length).toBe(before);
  });

  it("brings a running removal up to date, and shows a failed one as failed", async () => {
    s.portal.options.taskDurationMs = 1500;
    const e = await createFails({ email: "jane.doe@example.com", timeoutSeconds: 1 });
    await wait(800);
    expect((await provider.read!(e.id, e.properties)).props).toMatchObject({ status: "Completed", percentage: 100 });

    s.portal.failNext.set(USERS.mark, "boom");
    const f = await createFails({ userId: USERS.mark });
    expect((await provider.read!(f.id, f.properties)).props).toMatchObject({ status: "Failed", error: "boom" });
  });
});

describe("diff and update", () => {
  const completed = async () => (await provider.create({ email: "jane.doe@example.com", transferTo: "archive@example.com", reason: "a" })).outs as Props;

  it("the same inputs again show no changes", async () => {
    const outs = await completed();
    expect(await provider.diff!(USERS.jane, outs, { email: "jane.doe@example.com", transferTo: "archive@example.com", reason: "a" })).toEqual({ changes: false });
  });

  it("naming the account by id instead of email is the same account", async () => {
    const outs = await completed();
    expect((await provider.diff!(USERS.jane, outs, { userId: USERS.jane, reason: "a" })).changes).toBe(false);
  });

  it("another account means replacement", async () => {
    const outs = await completed();
    expect(await provider.diff!(USERS.jane, outs, { email: "nora.north@example.com", reason: "a" })).toMatchObject({ changes: true, replaces: ["email"] });
  });

  it("once the data is gone, transferTo / allowAdmin / timeoutSeconds cannot change anything and show no change", async () => {
    const outs = await completed();
    expect((await provider.diff!(USERS.jane, outs, { email: "jane.doe@example.com", transferTo: "team.lead@example.com", timeoutSeconds: 60, reason: "a" })).changes).toBe(false);
  });

  it("a new reason is an in-place update of the audit record, with no request", async () => {
    const outs = await completed();
    expect(await provider.diff!(USERS.jane, outs, { email: "jane.doe@example.com", reason: "b" })).toEqual({ changes: true });
    const before = s.log.length;
    const { outs: next } = await provider.update!(USERS.jane, outs, { email: "jane.doe@example.com", reason: "b" });
    expect(next).toMatchObject({ status: "Completed", reason: "b" });
    expect(s.log.length).toBe(before);
  });
});

describe("delete", () => {
  it("touches nothing for a removal (never restores or re-enables anyone)", async () => {
    const { outs } = await provider.create({ email: "jane.doe@example.com" });
    const before = s.log.length;
    await provider.delete!(USERS.jane, outs);
    expect(s.log.length).toBe(before);
  });

  it("leaves a running transfer alone: dropping the record sends nothing (a half-done transfer splits the data)", async () => {
    s.portal.options.taskDurationMs = 3000;
    const e = await createFails({ email: "john.smith@example.com", transferTo: "team.lead@example.com", timeoutSeconds: 1 });
    const before = writesTo(s);
    await provider.delete!(e.id, e.properties);
    expect(writesTo(s)).toEqual(before);
    expect(s.portal.tasks.get(`reassign:${USERS.john}`)!.status).toBe(1);
    expect(s.portal.liveUser(USERS.john)!.status).toBe(2); // still disabled: delete never re-enables
  });
});

describe("configuration", () => {
  it("fails with the setting to fix when the URL or key is missing or bad", async () => {
    const reason = async () => (await check({ email: "jane.doe@example.com" })).failures?.map((f) => f.reason).join(" ");
    usePortal("", "");
    expect(await reason()).toMatch(/docspace:url/);
    // From the environment (usePortal sets DOCSPACE_URL / DOCSPACE_API_KEY): named as the variable.
    usePortal("http://portal.example.com", KEYS.owner);
    expect(await reason()).toMatch(/^DOCSPACE_URL uses http:\/\/ for portal.example.com/);
    usePortal(s.url, "");
    expect(await reason()).toMatch(/pulumi config set --secret docspace:apiKey/);
    usePortal(s.url, "sk-bad key with spaces");
    expect(await reason()).toMatch(/^DOCSPACE_API_KEY is malformed/);
    usePortal(s.url, "sk-revoked-or-wrong");
    expect(await reason()).toMatch(/HTTP 401.*Check docspace:apiKey/);
    expect(await reason()).not.toContain("sk-revoked-or-wrong");
    expect(writesTo(s)).toEqual([]);
  });

  it("create still throws for settings trouble (nothing to record)", async () => {
    usePortal(s.url, "");
    await expect(provider.create({ email: "jane.doe@example.com" })).rejects.toThrow(/docspace:apiKey/);
  });

  it("reads docspace:url and docspace:apiKey from the stack config in configure", async () => {
    usePortal("", "");
    await provider.configure!({ config: { get: (k: string) => ({ "docspace:url": s.url, "docspace:apiKey": KEYS.owner })[k], require: () => "" } } as never);
    expect((await check({ email: "jane.doe@example.com" })).failures ?? []).toEqual([]);
  });

  it("the per-run guard starts afresh for each run (resetRunGuard, as a new provider host would)", async () => {
    usePortal(s.url, KEYS.owner, { DOCSPACE_MAX_REMOVALS_PER_RUN: "1" });
    try {
      expect((await check({ email: "jane.doe@example.com" })).failures ?? []).toEqual([]);
      expect((await check({ email: "nora.north@example.com" })).failures?.[0]?.reason).toMatch(/more than 1 removals/);
      removalImpl.resetRunGuard();
      expect((await check({ email: "nora.north@example.com" })).failures ?? []).toEqual([]);
    } finally {
      delete process.env.DOCSPACE_MAX_REMOVALS_PER_RUN;
    }
  });
});

describe("a People-module administrator (listAdminModules holds \"people\")", () => {
  it("their data is transferred only with the owner's key: the check refuses it for an admin's key, before anything is written", async () => {
    const pa = s.portal.addUser({ email: "people.admin@example.com", type: "RoomAdmin", peopleAdmin: true });
    usePortal(s.url, KEYS.admin);
    const r = await check({ email: pa.email, transferTo: "archive@example.com" });
    expect(r.failures?.map((f) => f.reason).join(" ")).toMatch(/administers the People module.*only the portal owner/);
    await expect(provider.create({ email: pa.email, transferTo: "archive@example.com" })).rejects.toThrow(/administers the People module/);
    expect(writesTo(s)).toEqual([]);
    usePortal(s.url, KEYS.owner);
    expect((await check({ email: pa.email, transferTo: "archive@example.com" })).failures ?? []).toEqual([]);
  });
});

describe("a removal task that fails after deleting the profile (RemoveProgressItem: its notification comes after DeleteUserProfile)", () => {
  it("refresh records it Completed on the profile's 404, with DocSpace's error noted, not Failed with 'the account is still there'", async () => {
    s.portal.options.taskDurationMs = 1500;
    s.portal.failNext.set(USERS.jane, "SMTP server unreachable");
    const e = await createFails({ email: "jane.doe@example.com", timeoutSeconds: 1 });
    expect(e.properties).toMatchObject({ status: "Running" });
    s.portal.users.get(USERS.jane)!.removed = true; // the profile went before the step that failed
    while (s.portal.tasksFor(USERS.jane)[0]?.finishedAt === undefined) await wait(50);
    const { props } = await provider.read!(e.id, e.properties);
    expect(props).toMatchObject({ status: "Completed", evidence: expect.stringMatching(/404.*DocSpace reported an error after: SMTP server unreachable/) });
  });
});

describe("the record names who did it, for the audit", () => {
  it("a removal records the API key's account (actorId, actorEmail); the audit step carries it", async () => {
    const { outs } = await provider.create({ email: "jane.doe@example.com" });
    expect(outs).toMatchObject({ status: "Completed", actorId: USERS.owner, actorEmail: "olivia.owner@example.com" });
  });
});
