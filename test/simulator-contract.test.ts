/**
 * Pins the simulator to DocSpace's API contract, especially its surprises, by raw
 * HTTP, so that it cannot drift from DocSpace while the client is tested against it.
 */
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type * as PortalModule from "../simulator/portal";
import { expectEveryFaultFired, fromDist, KEYS, sim, startSimulator, USERS, wait, type Simulator } from "./helpers";

let s: Simulator;

async function call(method: string, path: string, opts: { key?: string | null; body?: unknown } = {}): Promise<{ status: number; text: string; json: Record<string, unknown> | undefined; headers: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? KEYS.owner}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await request(`${s.url}/api/2.0/${path}`, { method: method as "GET", headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.body.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, text, json, headers: res.headers };
}

beforeEach(async () => {
  s = await startSimulator({ taskDurationMs: 200, taskExpiryMs: 400 });
});
afterEach(async () => s.stop());

describe("wire format", () => {
  it("wraps success in the envelope, in DocSpace's property order, with links and no nulls", async () => {
    const r = await call("GET", `people/${USERS.mark}`);
    expect(Object.keys(r.json!)).toEqual(["response", "count", "links", "status", "statusCode"]);
    expect(r.json).toMatchObject({ count: 1, status: 0, statusCode: 200, links: [{ href: `${s.url}/api/2.0/people/${USERS.mark}`, action: "GET" }] });
    const user = r.json!.response as Record<string, unknown>;
    expect(user).not.toHaveProperty("type");
    expect(Object.values(user)).not.toContain(null);
    expect(user).not.toHaveProperty("terminated");
    expect(user).toMatchObject({ isCollaborator: true, isOwner: false, isAdmin: false, status: 1 });
  });

  it("writes dates with 7 fractional digits and an offset", async () => {
    const r = await call("GET", `people/${USERS.sam}`);
    expect((r.json!.response as Record<string, string>).terminated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}[+-]\d\d:\d\d$/);
  });

  it("the owner is not isAdmin; a DocSpace admin is", async () => {
    expect((await call("GET", `people/${USERS.owner}`)).json!.response).toMatchObject({ isOwner: true, isAdmin: false });
    expect((await call("GET", `people/${USERS.bob}`)).json!.response).toMatchObject({ isOwner: false, isAdmin: true });
  });

  it("binds input JSON case-insensitively", async () => {
    await call("PUT", "people/status/Terminated", { body: { UserIds: [USERS.mark] } });
    const r = await call("POST", "people/remove/start", { body: { UserId: USERS.mark } });
    expect(r.status).toBe(200);
  });

  it("answers a non-GUID in a {userid:guid} route with a bare 404", async () => {
    const r = await call("GET", "people/remove/progress/not-a-guid");
    expect(r.status).toBe(404);
    expect(r.text).toBe("");
  });

  it("paged filter: count 1..100 (else a validation 400 in the success wrapper), total of all matches", async () => {
    const page = await call("GET", "people/filter?count=3&startIndex=0");
    expect(page.json).toMatchObject({ count: 3, total: 14 });
    expect(Object.keys(page.json!)).toEqual(["response", "count", "total", "links", "status", "statusCode"]);
    const bad = await call("GET", "people/filter?count=101");
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ status: 1, statusCode: 400, response: { title: "One or more validation errors occurred." } });
    expect(bad.json).not.toHaveProperty("error");
    expect((await call("GET", "people/filter", { key: KEYS.user })).status).toBe(403);
  });
});

describe("surprises", () => {
  it("wrong state: remove/start gives 400, DELETE gives 403 'not suspended'", async () => {
    const start = await call("POST", "people/remove/start", { body: { userId: USERS.mark } });
    expect(start.status).toBe(400);
    expect(start.json).toMatchObject({ error: { message: `Can not delete user with id = ${USERS.mark}` }, status: 1, statusCode: 400 });
    const del = await call("DELETE", `people/${USERS.mark}`);
    expect(del.status).toBe(403);
    expect((del.json!.error as Record<string, unknown>).message).toBe("The user is not suspended");
  });

  it("unknown user: 400 on remove/start, 404 on GET and DELETE, 403 on a status change", async () => {
    const ghost = "00000000-0000-4000-8000-000000000001";
    const start = await call("POST", "people/remove/start", { body: { userId: ghost } });
    expect([start.status, (start.json!.error as Record<string, unknown>).message]).toEqual([400, `User with id = ${ghost} not found`]);
    expect((await call("GET", `people/${ghost}`)).status).toBe(404);
    expect((await call("DELETE", `people/${ghost}`)).status).toBe(404);
    const status = await call("PUT", "people/status/2", { body: { userIds: [USERS.mark, ghost] } });
    expect(status.status).toBe(403);
    expect((await call("GET", `people/${USERS.mark}`)).json!.response).toMatchObject({ status: 1 }); // all or nothing
  });

  it("error is '' not null; progress disappears after expiry (no response, count 0)", async () => {
    await call("PUT", "people/status/2", { body: { userIds: [USERS.mark] } });
    const started = await call("POST", "people/remove/start", { body: { userId: USERS.mark } });
    expect(started.json!.response).toEqual({ id: `1_${USERS.mark}_RemoveProgressItem`, error: "", percentage: 0, isCompleted: false, status: 1 });
    await wait(300);
    expect((await call("GET", `people/remove/progress/${USERS.mark}`)).json!.response).toMatchObject({ status: 2, isCompleted: true, error: "" });
    await wait(500);
    const gone = await call("GET", `people/remove/progress/${USERS.mark}`);
    expect(gone.json).not.toHaveProperty("response");
    expect(gone.json).toMatchObject({ count: 0, status: 0, statusCode: 200 });
  });

  it("a failed task has status 4 (Failted) and keeps the profile", async () => {
    s.portal.failNext.set(USERS.mark, "Disk quota exceeded");
    await call("PUT", "people/status/2", { body: { userIds: [USERS.mark] } });
    await call("POST", "people/remove/start", { body: { userId: USERS.mark } });
    await wait(300);
    expect((await call("GET", `people/remove/progress/${USERS.mark}`)).json!.response).toMatchObject({ status: 4, isCompleted: true, error: "Disk quota exceeded" });
    expect((await call("GET", `people/${USERS.mark}`)).status).toBe(200);
    // After a failed run the user is still Terminated: a new start starts a new task.
    await call("POST", "people/remove/start", { body: { userId: USERS.mark } });
    expect(s.portal.startedTasks).toHaveLength(2);
  });

  it("repeating a start while it runs returns the same task; after success it is 'not found'", async () => {
    s.portal.options.taskDurationMs = 300;
    await call("PUT", "people/status/2", { body: { userIds: [USERS.mark] } });
    const a = await call("POST", "people/remove/start", { body: { userId: USERS.mark } });
    const b = await call("POST", "people/remove/start", { body: { userId: USERS.mark } });
    expect((b.json!.response as Record<string, unknown>).id).toBe((a.json!.response as Record<string, unknown>).id);
    expect(s.portal.startedTasks).toHaveLength(1);
    await wait(400);
    const again = await call("POST", "people/remove/start", { body: { userId: USERS.mark } });
    expect(again.status).toBe(400);
    expect((again.json!.error as Record<string, unknown>).message).toMatch(/not found/);
  });

  it("remove/terminate does not stop the job (the task comes back); reassign/terminate does", async () => {
    s.portal.options.taskDurationMs = 300;
    await call("PUT", "people/status/2", { body: { userIds: [USERS.mark, USERS.john] } });
    await call("POST", "people/remove/start", { body: { userId: USERS.mark } });
    const t = await call("PUT", "people/remove/terminate", { body: { userId: USERS.mark } });
    expect(t.json).toEqual({ count: 0, links: [{ href: `${s.url}/api/2.0/people/remove/terminate`, action: "PUT" }], status: 0, statusCode: 200 });
    expect((await call("GET", `people/remove/progress/${USERS.mark}`)).json).not.toHaveProperty("response");
    await wait(400);
    expect((await call("GET", `people/remove/progress/${USERS.mark}`)).json!.response).toMatchObject({ status: 2 });
    expect((await call("GET", `people/${USERS.mark}`)).status).toBe(404);

    await call("POST", "people/reassign/start", { body: { fromUserId: USERS.john, toUserId: USERS.teamLead, deleteProfile: true } });
    const canceled = await call("PUT", "people/reassign/terminate", { body: { userId: USERS.john } });
    expect(canceled.json!.response).toMatchObject({ status: 3, isCompleted: true });
    await wait(400);
    expect((await call("GET", `people/${USERS.john}`)).status).toBe(200);
  });

  it("self/delete only emails the caller, as an HTML string; owner and LDAP get 403; guests may", async () => {
    const r = await call("PUT", "people/self/delete", { key: KEYS.guest });
    expect(r.json!.response).toBe("Instructions to disable your profile has been sent to <b>guest.gail@example.com</b> email address");
    expect((await call("GET", `people/${USERS.guest}`)).json!.response).toMatchObject({ status: 1 });
    expect((await call("PUT", "people/self/delete", { key: KEYS.owner })).status).toBe(403);
    expect((await call("PUT", "people/self/delete", { key: KEYS.ldap })).status).toBe(403);
    expect(s.portal.selfDeleteEmails.map((e) => e.email)).toEqual(["guest.gail@example.com"]);
  });

  it("401 and 403 from the auth pipeline have empty bodies; controller 403s have JSON", async () => {
    const none = await call("GET", "people/@self", { key: null });
    expect([none.status, none.text]).toEqual([401, ""]);
    const bad = await call("GET", "people/@self", { key: "sk-wrong" });
    expect([bad.status, bad.text]).toEqual([401, ""]);
    const scoped = await call("GET", "people/@self", { key: KEYS.readonly });
    expect([scoped.status, scoped.text]).toEqual([403, ""]);
    const controller = await call("POST", "people/remove/start", { key: KEYS.roomAdmin, body: { userId: USERS.mark } });
    expect(controller.status).toBe(403);
    expect(controller.json!.error).toMatchObject({ message: "Access denied" });
  });

  it("an sk- key without 'Bearer ' fails with 401", async () => {
    const res = await request(`${s.url}/api/2.0/people/@self`, { headers: { authorization: KEYS.owner } });
    expect(res.statusCode).toBe(401);
    await res.body.dump();
  });
});

describe("permissions and preconditions", () => {
  it("remove/start: 403 for non-admins first, even for unknown ids", async () => {
    expect((await call("POST", "people/remove/start", { key: KEYS.roomAdmin, body: { userId: "00000000-0000-4000-8000-000000000002" } })).status).toBe(403);
  });

  it("remove/start: the owner and the caller are refused with 400 even when disabled", async () => {
    expect((await call("POST", "people/remove/start", { key: KEYS.admin, body: { userId: USERS.owner } })).status).toBe(400);
    expect((await call("POST", "people/remove/start", { key: KEYS.owner, body: { userId: USERS.owner } })).status).toBe(400);
  });

  it("only the owner removes a disabled DocSpace admin", async () => {
    await call("PUT", "people/status/2", { body: { userIds: [USERS.bob] } });
    expect((await call("POST", "people/remove/start", { key: KEYS.admin, body: { userId: USERS.bob } })).status).toBe(403);
    expect((await call("POST", "people/remove/start", { key: KEYS.owner, body: { userId: USERS.bob } })).status).toBe(200);
  });

  it("status: an admin may not disable another admin, the owner, itself or an LDAP account; 'Incorrect status' otherwise", async () => {
    for (const id of [USERS.bob, USERS.owner, USERS.admin, USERS.ldap]) {
      expect((await call("PUT", "people/status/2", { key: KEYS.admin, body: { userIds: [id] } })).status).toBe(403);
    }
    const r = await call("PUT", "people/status/3", { body: { userIds: [USERS.mark] } });
    expect([r.status, (r.json!.error as Record<string, unknown>).message]).toEqual([400, "Incorrect status"]);
    const ok = await call("PUT", "people/status/2", { body: { userIds: [USERS.mark, USERS.nora] } });
    expect((ok.json!.response as Array<Record<string, unknown>>).map((u) => [u.id, u.status])).toEqual([[USERS.mark, 2], [USERS.nora, 2]]);
  });

  it("reassign: toUser must be an active room admin or DocSpace admin; unknown ids name LostUser; fromUser must be disabled", async () => {
    await call("PUT", "people/status/2", { body: { userIds: [USERS.mark] } });
    const toUser = await call("POST", "people/reassign/start", { body: { fromUserId: USERS.mark, toUserId: USERS.nora } });
    expect((toUser.json!.error as Record<string, unknown>).message).toBe(`Can not reassign data to user with id = ${USERS.nora}`);
    const disabledTo = await call("POST", "people/reassign/start", { body: { fromUserId: USERS.mark, toUserId: USERS.formerLead } });
    expect(disabledTo.status).toBe(400);
    const unknown = await call("POST", "people/reassign/start", { body: { fromUserId: USERS.mark, toUserId: "00000000-0000-4000-8000-000000000003" } });
    expect((unknown.json!.error as Record<string, unknown>).message).toBe("Can not reassign data to user with id = 4a515a15-d4d6-4b8e-828e-e0586f18f3a3");
    const activeFrom = await call("POST", "people/reassign/start", { body: { fromUserId: USERS.nora, toUserId: USERS.teamLead } });
    expect((activeFrom.json!.error as Record<string, unknown>).message).toBe(`Can not reassign data from user with id = ${USERS.nora}`);
  });

  it("self/delete is limited to 5 per 15 minutes per user when the limiter is on, with an empty 429", async () => {
    const limited = await startSimulator({ rateLimits: {} });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await request(`${limited.url}/api/2.0/people/self/delete`, { method: "PUT", headers: { authorization: `Bearer ${KEYS.user}` } });
        statuses.push(res.statusCode);
        if (i === 5) {
          expect(await res.body.text()).toBe("");
          expect(Number(res.headers["retry-after"])).toBeGreaterThan(800);
        } else await res.body.dump();
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await limited.stop();
    }
  });
});

// ---- The task queues, the cleaner and the rest of section 6, 7.7, 7.9, 7.13 and 7.15, as DocSpace's server source has them. ----
// Each test names the server file and method it follows. They drive the portal's clock (`now`) instead of waiting.

const T0 = Date.parse("2026-11-30T12:00:00Z");
let t = T0;
/** The simulated clock: `at(ms)` sets it to T0 + ms. */
const clock = (): number => t;
const at = (ms: number): void => {
  t = T0 + ms;
};
type Json = Record<string, unknown>;
const portalModule = fromDist("simulator/portal.js") as typeof PortalModule;

async function driven(options: Parameters<typeof startSimulator>[0] = {}): Promise<void> {
  await s.stop();
  t = T0;
  s = await startSimulator({ now: clock, ...options });
}
async function disable(...ids: string[]): Promise<void> {
  expect((await call("PUT", "people/status/2", { body: { userIds: ids } })).status).toBe(200);
}
async function startRemove(id: string): Promise<Json> {
  const r = await call("POST", "people/remove/start", { body: { userId: id } });
  expect(r.status).toBe(200);
  return r.json!.response as Json;
}
async function startReassign(from: string, to: string, deleteProfile: boolean): Promise<Json> {
  const r = await call("POST", "people/reassign/start", { body: { fromUserId: from, toUserId: to, deleteProfile } });
  expect(r.status).toBe(200);
  return r.json!.response as Json;
}
/** GET …/progress/{id}: the DTO, or undefined when the envelope has no response. */
async function progress(kind: "remove" | "reassign", id: string): Promise<Json | undefined> {
  const r = await call("GET", `people/${kind}/progress/${id}`);
  expect(r.status).toBe(200);
  return r.json!.response as Json | undefined;
}
const queued = { error: "", percentage: 0, isCompleted: false, status: 1 };

describe("1. one consumer per queue (DistributedTaskQueue.cs MaxThreadsCount stays 1; DistributedTaskQueueService.ExecuteAsync reads the channel with one reader)", () => {
  it("queues starts FIFO: each answers status 1 at 0% (EnqueueTask sets Running, then PublishTask), a queued one publishes nothing; remove and reassign are separate queues", async () => {
    await driven({ taskDurationMs: 1000 });
    await disable(USERS.mark, USERS.jane, USERS.nora, USERS.john);
    for (const id of [USERS.mark, USERS.jane, USERS.nora]) expect(await startRemove(id)).toEqual({ id: `1_${id}_RemoveProgressItem`, ...queued });
    // The reassign queue is another consumer: it runs at once beside the busy remove queue.
    expect(await startReassign(USERS.john, USERS.teamLead, false)).toMatchObject(queued);
    expect(await progress("reassign", USERS.john)).toMatchObject({ status: 1, percentage: 5 });
    expect(await progress("remove", USERS.mark)).toMatchObject({ status: 1, percentage: 5 });
    at(500);
    expect(await progress("remove", USERS.mark)).toMatchObject({ status: 1, percentage: 50 });
    for (const id of [USERS.jane, USERS.nora]) expect(await progress("remove", id)).toMatchObject(queued);
    // While queued its LastModifiedOn stays the enqueue time.
    expect(s.portal.visibleTask("remove", USERS.jane)!.lastModifiedOn).toBe(T0);
    at(1000);
    expect(await progress("remove", USERS.mark)).toMatchObject({ status: 2, percentage: 100, isCompleted: true });
    expect(await progress("remove", USERS.jane)).toMatchObject({ status: 1, percentage: 5 });
    expect(await progress("remove", USERS.nora)).toMatchObject(queued);
    at(3000);
    const removes = s.portal.startedTasks.filter((x) => x.kind === "remove");
    expect(removes.map((x) => [x.userId, x.ranAt! - T0, x.finishedAt! - T0, x.status])).toEqual([
      [USERS.mark, 0, 1000, 2],
      [USERS.jane, 1000, 2000, 2],
      [USERS.nora, 2000, 3000, 2],
    ]);
  });

  it("a running remove publishes RemoveProgressItem.DoJob's steps: 5, 10, 30, 45, 50, 60, 70, 95, then 100 with Completed", async () => {
    await driven({ taskDurationMs: 1000 });
    await disable(USERS.mark);
    await startRemove(USERS.mark);
    const seen: unknown[] = [];
    for (const ms of [0, 99, 100, 300, 450, 500, 600, 700, 949, 950, 999, 1000]) {
      at(ms);
      seen.push((await progress("remove", USERS.mark))!.percentage);
    }
    expect(seen).toEqual([5, 5, 10, 30, 45, 50, 60, 70, 70, 95, 95, 100]);
  });
});

describe("2. the cleaner (DistributedTaskQueueService.ExecuteAsync's cleaner task; TimeUntilUnregisterInSeconds 60 from DefaultDistributedTaskQueueFactory.RegisterQueue; GetPublication/SaveToCache)", () => {
  it("drops a task queued for more than 60 s at the next 10 s tick; it runs later, publishes itself back into the cache only, and stays readable a day after its last publication", async () => {
    await driven({ taskDurationMs: 100_000 });
    await disable(USERS.mark, USERS.jane);
    await startRemove(USERS.mark);
    await startRemove(USERS.jane);
    at(60_000); // the tick at 60 s: 60 s old is not older than 60 s
    expect(await progress("remove", USERS.jane)).toMatchObject(queued);
    at(69_999);
    expect(await progress("remove", USERS.jane)).toMatchObject(queued);
    at(70_000);
    expect(await progress("remove", USERS.jane)).toBeUndefined();
    expect(await progress("remove", USERS.mark)).toMatchObject({ status: 1, percentage: 70 }); // running, publishing: kept
    at(100_000); // mark ends; jane runs and publishes 5%
    expect(await progress("remove", USERS.jane)).toMatchObject({ status: 1, percentage: 5 });
    const jane = s.portal.tasksFor(USERS.jane)[0]!;
    expect(jane).toMatchObject({ droppedWhileQueued: true, ranAt: T0 + 100_000 });
    expect(s.portal.queueOf("remove").keys).toEqual([`1_${USERS.mark}_RemoveProgressItem`]); // not back in the key list
    at(165_000);
    expect(await progress("remove", USERS.mark)).toMatchObject({ status: 2 });
    at(170_000); // mark: finished at 100 s, listed, dropped at the first tick more than 60 s later
    expect(await progress("remove", USERS.mark)).toBeUndefined();
    at(200_000 + 120_000);
    expect(await progress("remove", USERS.jane)).toMatchObject({ status: 2, isCompleted: true }); // never cleaned
    at(200_000 + 24 * 3600_000 - 1);
    expect(await progress("remove", USERS.jane)).toMatchObject({ status: 2 });
    at(200_000 + 24 * 3600_000); // SaveToCache's one day after its last publication
    expect(await progress("remove", USERS.jane)).toBeUndefined();
  });

  it("a running task silent for 60 s is dropped and cancelled: remove goes on and republishes (RemoveProgressItem never checks its token); reassign ends Canceled (ReassignProgressItem.SetPercentageAndCheckCancellationAsync)", async () => {
    await driven({ taskDurationMs: 2_000_000 }); // 10% falls at 200 s: a 200 s silence after 5%
    await disable(USERS.mark, USERS.john);
    await startRemove(USERS.mark);
    await startReassign(USERS.john, USERS.teamLead, true);
    at(70_000);
    expect(await progress("remove", USERS.mark)).toBeUndefined();
    expect(await progress("reassign", USERS.john)).toBeUndefined();
    at(200_000);
    expect(await progress("remove", USERS.mark)).toMatchObject({ status: 1, percentage: 10 });
    expect(await progress("reassign", USERS.john)).toMatchObject({ status: 3, percentage: 10, isCompleted: true, error: "" });
    at(2_000_000);
    expect(await progress("remove", USERS.mark)).toMatchObject({ status: 2, percentage: 100 });
    expect((await call("GET", `people/${USERS.mark}`)).status).toBe(404);
    expect((await call("GET", `people/${USERS.john}`)).status).toBe(200); // the cancelled transfer removed nothing
    expect(s.portal.tasksFor(USERS.mark)[0]).toMatchObject({ droppedWhileRunning: true, cancelRequested: true, status: 2 });
    expect(s.portal.tasksFor(USERS.john)[0]).toMatchObject({ droppedWhileRunning: true, status: 3 });
  });

  it("taskExpiryMs is the same knob as unregisterAfterMs; a short expiry gets a cleaner period of a sixth of it (at least 10 ms)", async () => {
    await driven({ taskExpiryMs: 5000 });
    expect([s.portal.options.unregisterAfterMs, s.portal.options.cleanerPeriodMs]).toEqual([5000, 833]);
    s.portal.options.taskExpiryMs = 0;
    expect([s.portal.options.unregisterAfterMs, s.portal.options.cleanerPeriodMs]).toEqual([0, 10]);
    await driven({});
    expect([s.portal.options.unregisterAfterMs, s.portal.options.cleanerPeriodMs]).toEqual([60_000, 10_000]);
    await driven({ unregisterAfterMs: 120_000, cleanerIntervalMs: 7000 });
    expect([s.portal.options.taskExpiryMs, s.portal.options.cleanerPeriodMs]).toEqual([120_000, 7000]);
  });
});

describe("3. dedupe against the cache only (QueueWorker.cs StartAsync: PeekTask under the lock)", () => {
  it("a cached unfinished task is returned as last published; a cached completed (here failed) one is dequeued and a new task starts", async () => {
    await driven({ taskDurationMs: 1000 });
    await disable(USERS.mark);
    await startRemove(USERS.mark);
    at(300);
    expect(await startRemove(USERS.mark)).toMatchObject({ status: 1, percentage: 30 });
    expect(s.portal.tasksFor(USERS.mark)).toHaveLength(1);

    s.portal.failNext.set(USERS.jane, "Disk quota exceeded");
    await disable(USERS.jane);
    await startRemove(USERS.jane); // queued behind mark
    at(2000);
    expect(await progress("remove", USERS.jane)).toMatchObject({ status: 4, error: "Disk quota exceeded", isCompleted: true });
    expect(await startRemove(USERS.jane)).toMatchObject(queued);
    expect(s.portal.tasksFor(USERS.jane).map((x) => x.serial)).toEqual([2, 3]);
  });

  it("a remove no longer cached is not seen: a second start queues a second task, which fails when it runs after the person is gone (RemoveProgressItem: DeleteClientsAsync -> Claim(user_email, LostUser's null Email))", async () => {
    await driven({ taskDurationMs: 100_000 });
    await disable(USERS.mark, USERS.jane);
    await startRemove(USERS.mark);
    await startRemove(USERS.jane);
    at(70_000); // jane's task dropped while queued
    expect(await progress("remove", USERS.jane)).toBeUndefined();
    expect(await startRemove(USERS.jane)).toMatchObject(queued);
    expect(s.portal.tasksFor(USERS.jane)).toHaveLength(2);
    at(200_000); // the first jane task removed her; the second starts
    expect((await call("GET", `people/${USERS.jane}`)).status).toBe(404);
    expect(await progress("remove", USERS.jane)).toMatchObject({ status: 1, percentage: 5 });
    at(300_000);
    expect(await progress("remove", USERS.jane)).toEqual({ id: `1_${USERS.jane}_RemoveProgressItem`, error: "Value cannot be null. (Parameter 'value')", percentage: 95, isCompleted: true, status: 4 });
    expect(s.portal.tasksFor(USERS.jane).map((x) => x.status)).toEqual([2, 4]);
    expect(s.portal.removedUsers()).toEqual([USERS.mark, USERS.jane]);
  });

  it("a reassign no longer cached is not seen either: the second one fails at 5% with 'User could not be found' (ReassignProgressItem: DemandPermissionToReassignDataAsync -> ErrorMessage_UserNotFound)", async () => {
    await driven({ taskDurationMs: 100_000 });
    await disable(USERS.mark, USERS.jane);
    await startReassign(USERS.mark, USERS.teamLead, true);
    await startReassign(USERS.jane, USERS.teamLead, true);
    at(70_000);
    expect(await startReassign(USERS.jane, USERS.teamLead, true)).toMatchObject(queued);
    at(200_000);
    expect(await progress("reassign", USERS.jane)).toMatchObject({ status: 4, percentage: 5, error: "User could not be found", isCompleted: true });
    expect(s.portal.tasksFor(USERS.jane, "reassign").map((x) => x.status)).toEqual([2, 4]);
  });
});

describe("4. reassign/necessary (ReassignController.NecessaryReassign -> FileStorageService.AnyRoomsAsync; FolderDao.BuildRoomsQuery: CreateBy == user or a share)", () => {
  const necessary = async (id: string, type = "User"): Promise<unknown> => (await call("GET", `people/reassign/necessary?userId=${id}&type=${type}`)).json!.response;

  it("is true for an owner or a member of an active room, false for archived rooms only, and stays true for a member after a transfer", async () => {
    await driven({ taskDurationMs: 1000 });
    expect(await necessary(USERS.archive, "RoomAdmin")).toBe(true); // a member of Team handbook (seed)
    expect(await necessary(USERS.mark)).toBe(false);
    expect(await necessary(USERS.sam)).toBe(false); // a member of an archived room only
    expect(await necessary(USERS.formerLead, "RoomAdmin")).toBe(false); // owns an archived room only
    const carl = s.portal.addUser({ email: "carl.member@example.com" });
    expect(await necessary(carl.id)).toBe(false);
    s.portal.addRoom({ title: "Carl's team", ownerId: USERS.teamLead, memberIds: [carl.id] });
    expect(await necessary(carl.id)).toBe(true);
    expect(await necessary(s.portal.addUser({ email: "dora.flag@example.com", ownsRooms: true }).id)).toBe(true); // the old flag: owns rooms
    await disable(carl.id);
    await startReassign(carl.id, USERS.teamLead, false);
    at(1000);
    expect(await progress("reassign", carl.id)).toMatchObject({ status: 2 });
    expect(await necessary(carl.id)).toBe(true); // still a member: no proof of anything
  });
});

describe("5. PUT people/status writes no terminated date (UserController.UpdateUserStatus; only UpdateMember's disable sets TerminatedDate)", () => {
  it("disabling adds no terminated; re-enabling keeps an existing one; addUser sets terminatedAt only when given", async () => {
    await driven();
    await disable(USERS.mark);
    const mark = (await call("GET", `people/${USERS.mark}`)).json!.response as Json;
    expect(mark).toMatchObject({ status: 2 });
    expect(mark).not.toHaveProperty("terminated");
    const samBefore = ((await call("GET", `people/${USERS.sam}`)).json!.response as Json).terminated;
    expect(samBefore).toBe("2026-10-01T12:00:00.0000000+00:00");
    expect((await call("PUT", "people/status/1", { body: { userIds: [USERS.sam] } })).status).toBe(200);
    expect((await call("GET", `people/${USERS.sam}`)).json!.response).toMatchObject({ status: 1, terminated: samBefore });
    expect((await call("GET", `people/${USERS.formerLead}`)).json!.response).not.toHaveProperty("terminated"); // seeded disabled through this route
    const tina = s.portal.addUser({ email: "tina.disabled@example.com", status: 2 });
    expect((await call("GET", `people/${tina.id}`)).json!.response).not.toHaveProperty("terminated");
  });
});

describe("6. invitations are Pending (UserManagerWrapper.AddInvitedUserAsync); employeeStatus (DbUserService.GetUserQueryForFilter); API keys (SecurityContext: 'Account disabled.')", () => {
  const emails = async (query: string, key: string = KEYS.owner): Promise<string[]> => {
    const r = await call("GET", `people/filter?${query}`, { key });
    expect(r.status).toBe(200);
    return (r.json!.response as Json[]).map((u) => u.email as string).sort();
  };

  it("the seeded invitation is status 4 + activationStatus 2; an admin-created unconfirmed account is status 1 + activationStatus 2", async () => {
    await driven();
    expect((await call("GET", `people/${USERS.paul}`)).json!.response).toMatchObject({ status: 4, activationStatus: 2 });
    const created = s.portal.addUser({ email: "never.confirmed@example.com", activationStatus: 2 });
    const invited = s.portal.addUser({ email: "just.invited@example.com", activationStatus: 2, invitedById: USERS.admin });
    expect([created.status, invited.status]).toEqual([1, 4]);
  });

  it("employeeStatus: 1 and 5 Active only; 2 Terminated for admins, nothing for a room admin; 4 Pending; 7 or none all an admin sees, all but the disabled for a room admin", async () => {
    await driven();
    const all = (await emails("")).length;
    expect(all).toBe(14);
    expect(await emails("employeeStatus=1")).not.toContain("paul.park@example.com");
    expect(await emails("employeeStatus=5")).toEqual(await emails("employeeStatus=1"));
    expect((await emails("employeeStatus=1")).length).toBe(11);
    expect(await emails("employeeStatus=4")).toEqual(["paul.park@example.com"]);
    expect(await emails("employeeStatus=Pending")).toEqual(["paul.park@example.com"]);
    expect(await emails("employeeStatus=2")).toEqual(["former.lead@example.com", "suspended.sam@example.com"]);
    expect(await emails("employeeStatus=7")).toHaveLength(14);
    expect(await emails("employeeStatus=2", KEYS.roomAdmin)).toEqual([]);
    expect(await emails("", KEYS.roomAdmin)).toHaveLength(12);
    expect(await emails("employeeStatus=7", KEYS.roomAdmin)).toHaveLength(12);
  });

  it("an API key whose creator is Pending or disabled cannot authenticate (401, empty body)", async () => {
    await driven();
    s.portal.addApiKey(USERS.paul, "sk-sim-pending-1");
    s.portal.addApiKey(USERS.sam, "sk-sim-disabled-1");
    for (const key of ["sk-sim-pending-1", "sk-sim-disabled-1"]) {
      const r = await call("GET", "people/@self", { key });
      expect([r.status, r.text]).toEqual([401, ""]);
    }
  });
});

describe("7. people/email (UserController.GetProfileByEmail: Email == email in the database)", () => {
  it("ignores letter case on MySQL (the default, utf8_general_ci) and not on PostgreSQL", async () => {
    await driven();
    expect((await call("GET", "people/email?email=JANE.Doe@Example.com")).json!.response).toMatchObject({ id: USERS.jane });
    await driven({ database: "postgres" });
    expect((await call("GET", "people/email?email=JANE.Doe@Example.com")).status).toBe(404);
    expect((await call("GET", "people/email?email=jane.doe@example.com")).status).toBe(200);
  });
});

describe("8. the old model only on request (parallelTasks: RegisterQueue with unbounded consumers)", () => {
  it("with parallelTasks every task runs at once, so none waits or is dropped while waiting", async () => {
    await driven({ taskDurationMs: 100_000, parallelTasks: true });
    await disable(USERS.mark, USERS.jane, USERS.nora);
    for (const id of [USERS.mark, USERS.jane, USERS.nora]) await startRemove(id);
    at(70_000);
    for (const id of [USERS.mark, USERS.jane, USERS.nora]) expect(await progress("remove", id)).toMatchObject({ status: 1, percentage: 70 });
    at(100_000);
    expect(s.portal.startedTasks.map((x) => [x.ranAt! - T0, x.finishedAt! - T0, x.droppedWhileQueued])).toEqual([
      [0, 100_000, false],
      [0, 100_000, false],
      [0, 100_000, false],
    ]);
  });
});

describe("9. a clock the tests drive (Portal `now`; the rate limiter's windows too)", () => {
  it("the queue and the cleaner come out the same whether the clock moves in small steps or in one jump", async () => {
    const run = (stepMs: number | undefined): unknown => {
      let now = T0;
      const p = new portalModule.Portal(sim.defaultSeed(), { taskDurationMs: 100_000, now: () => now });
      const owner = p.liveUser(USERS.owner)!;
      p.setStatus(owner, 2, [USERS.mark, USERS.jane, USERS.nora, USERS.john]);
      for (const id of [USERS.mark, USERS.jane, USERS.nora]) p.startRemove(owner, id);
      p.startReassign(owner, USERS.john, USERS.teamLead, true);
      const moveTo = (ms: number): void => {
        if (stepMs !== undefined) for (; now < T0 + ms; now = Math.min(now + stepMs, T0 + ms)) p.advance();
        now = T0 + ms;
        p.advance();
      };
      moveTo(75_000);
      p.startRemove(owner, USERS.nora); // dropped while queued: a second task
      moveTo(600_000);
      return {
        tasks: p.startedTasks.map((x) => [x.serial, x.kind, x.userId, x.enqueuedAt - T0, (x.ranAt ?? 0) - T0, (x.finishedAt ?? 0) - T0, x.status, x.percentage, x.error, x.droppedWhileQueued]),
        removed: p.removedUsers(),
        visible: [USERS.mark, USERS.jane, USERS.nora].map((id) => p.visibleTask("remove", id)?.status),
        keys: p.queueOf("remove").keys,
      };
    };
    const jump = run(undefined);
    expect(run(997)).toEqual(jump);
    expect(run(10_000)).toEqual(jump);
    expect(jump).toMatchObject({ removed: [USERS.mark, USERS.john, USERS.jane, USERS.nora], visible: [undefined, 2, 4] });
  });

  it("the rate limiter's window follows the driven clock", async () => {
    await driven({ rateLimits: { requestsPerWindow: 2, windowMs: 60_000 } });
    const statuses = async (): Promise<number> => (await call("GET", `people/${USERS.mark}`)).status;
    expect([await statuses(), await statuses(), await statuses()]).toEqual([200, 200, 429]);
    at(60_001);
    expect(await statuses()).toBe(200);
  });
});

describe("10. the simulator's own record (startedTasks, tasksFor, removedUsers)", () => {
  it("keeps every task queued with enqueuedAt, ranAt, finishedAt, status, droppedWhileQueued and serial: tests can assert nobody removed twice and one task a person", async () => {
    await driven({ taskDurationMs: 1000 });
    await disable(USERS.mark, USERS.jane);
    await startRemove(USERS.mark);
    await startRemove(USERS.mark); // deduped
    await startRemove(USERS.jane);
    at(5000);
    expect(s.portal.startedTasks.map((x) => ({ serial: x.serial, userId: x.userId, enqueuedAt: x.enqueuedAt - T0, ranAt: x.ranAt! - T0, finishedAt: x.finishedAt! - T0, status: x.status, droppedWhileQueued: x.droppedWhileQueued }))).toEqual([
      { serial: 1, userId: USERS.mark, enqueuedAt: 0, ranAt: 0, finishedAt: 1000, status: 2, droppedWhileQueued: false },
      { serial: 2, userId: USERS.jane, enqueuedAt: 0, ranAt: 1000, finishedAt: 2000, status: 2, droppedWhileQueued: false },
    ]);
    expect(s.portal.tasksFor(USERS.mark)).toHaveLength(1);
    expect(s.portal.removedUsers()).toEqual([USERS.mark, USERS.jane]);
    expect(new Set(s.portal.removedUsers()).size).toBe(s.portal.removedUsers().length);
  });
});

describe("11. keys/@self and People-module admins", () => {
  it("GET keys/@self needs no scope (AuthorizationExtension.ScopesMap maps it to \"*\"): a key scoped to accounts:read reads its own permissions", async () => {
    s.portal.addApiKey(USERS.admin, "sk-sim-contract-scoped", ["accounts:read"]);
    const r = await call("GET", "keys/@self", { key: "sk-sim-contract-scoped" });
    expect(r.status).toBe(200);
  });

  it("a People-module admin carries listAdminModules [\"people\"], and reassign/start takes their data only from the owner (ReassignController.StartReassign: IsProductAdministratorAsync(PeopleProductID))", async () => {
    const pa = s.portal.addUser({ email: "people.admin@example.com", type: "RoomAdmin", peopleAdmin: true, status: 2 });
    expect((await call("GET", `people/${pa.id}`)).json!.response).toMatchObject({ listAdminModules: ["people"] });
    const byAdmin = await call("POST", "people/reassign/start", { key: KEYS.admin, body: { fromUserId: pa.id, toUserId: USERS.archive } });
    expect(byAdmin.status).toBe(400);
    expect(JSON.stringify(byAdmin.json)).toContain(`Can not reassign data from user with id = ${pa.id}`);
    expect((await call("POST", "people/reassign/start", { body: { fromUserId: pa.id, toUserId: USERS.archive } })).status).toBe(200);
  });
});

describe("the test harness: a fault that never fires fails its test", () => {
  it("expectEveryFaultFired throws for a fault no request hit, and not for one that fired", async () => {
    s.inject({ route: "GET people/@self", kind: "500" });
    expect(() => expectEveryFaultFired(s)).toThrow(/never fired: 500 on GET people\/@self/);
    s.inject({ route: "GET people/@self", kind: "500" });
    expect((await call("GET", "people/@self")).status).toBe(500);
    expect(() => expectEveryFaultFired(s)).not.toThrow();
  });
});
