/**
 * Pins the simulator to DocSpace's API contract, especially its surprises, by raw
 * HTTP, so that it cannot drift from DocSpace while the client is tested against it.
 */
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KEYS, startSimulator, USERS, wait, type Simulator } from "./helpers";

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
