/**
 * Pins the simulator's read-only impact and report routes to DocSpace's behaviour (rooms, profile fields, filters)
 * and DocSpace's official API description, by raw HTTP: rooms owned, personal storage, groups,
 * SSO/LDAP sign-in, status, pending invitations, the report filters, and a 402 from a paid feature.
 */
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KEYS, sim, startSimulator, USERS, wait, type Simulator } from "./helpers";

let s: Simulator;

type Json = Record<string, unknown>;

async function call(method: string, path: string, opts: { key?: string; body?: unknown } = {}): Promise<{ status: number; text: string; json: Json | undefined }> {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.key ?? KEYS.owner}` };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await request(`${s.url}/api/2.0/${path}`, { method: method as "GET", headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.body.text();
  let json: Json | undefined;
  try {
    json = JSON.parse(text) as Json;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, text, json };
}

async function profile(id: string, key: string = KEYS.owner): Promise<Json> {
  const r = await call("GET", `people/${id}`, { key });
  expect(r.status).toBe(200);
  return r.json!.response as Json;
}

async function rooms(query: string, key: string = KEYS.owner): Promise<{ status: number; text: string; content: Json; titles: string[] }> {
  const r = await call("GET", `files/rooms?${query}`, { key });
  const content = (r.json?.response ?? {}) as Json;
  const folders = (content.folders ?? []) as Json[];
  return { status: r.status, text: r.text, content, titles: folders.map((f) => f.title as string).sort() };
}

async function emails(query: string, key: string = KEYS.owner): Promise<string[]> {
  const r = await call("GET", `people/filter?${query}`, { key });
  expect(r.status).toBe(200);
  return (r.json!.response as Json[]).map((u) => u.email as string).sort();
}

/** Disables `id` and runs a task to completion. */
async function complete(path: string, body: Json, id: string): Promise<void> {
  expect((await call("PUT", "people/status/2", { body: { userIds: [id] } })).status).toBe(200);
  const start = await call("POST", path, { body });
  expect(start.status).toBe(200);
  const kind = path.startsWith("people/remove") ? "remove" : "reassign";
  for (let i = 0; i < 100; i++) {
    const p = await call("GET", `people/${kind}/progress/${id}`);
    if ((p.json?.response as Json | undefined)?.isCompleted === true) {
      expect((p.json!.response as Json).status).toBe(2);
      return;
    }
    await wait(20);
  }
  throw new Error(`${kind} for ${id} never completed`);
}

beforeEach(async () => {
  s = await startSimulator({ taskDurationMs: 100, taskExpiryMs: 5000 });
});
afterEach(async () => s.stop());

describe("GET files/rooms", () => {
  it("lists a user's rooms as DocSpace's FolderContentDto: rooms in folders, files empty, total inside the response", async () => {
    const r = await call("GET", `files/rooms?subjectOwnerId=${USERS.john}&searchArea=Any`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ count: 1, status: 0, statusCode: 200 });
    expect(r.json).not.toHaveProperty("total");
    const content = r.json!.response as Json;
    expect(content).toMatchObject({ files: [], startIndex: 0, count: 2, total: 2 });
    const room = (content.folders as Json[])[0]!;
    expect(room).toMatchObject({ title: "Sales pipeline", roomType: 2, createdBy: { id: USERS.john, displayName: "John Smith" } });
    expect(typeof room.id).toBe("number");
    expect(Object.values(room)).not.toContain(null);
  });

  it("without subjectOwnerId (what a server before 3.7 answers, ignoring the filter) it lists every room the caller sees, each with createdBy.id naming its owner", async () => {
    const all = await call("GET", "files/rooms?searchArea=Any");
    const folders = ((all.json!.response as Json).folders ?? []) as Json[];
    const owners = new Set(folders.map((f) => (f.createdBy as Json).id as string));
    expect(owners.size).toBeGreaterThan(1);
    expect(owners).toContain(USERS.john);
    expect((all.json!.response as Json).total).toBe(folders.length);
    // The impact tells a person's rooms apart by this field (provider/docspace/impact-reads.ts ownedRooms).
    for (const f of folders) expect(f.createdBy).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), displayName: expect.any(String) });
  });

  it("lists the active section unless asked otherwise: archived rooms need searchArea Archive or Any (name or number)", async () => {
    expect((await rooms(`subjectOwnerId=${USERS.bob}`)).titles).toEqual(["Board minutes"]);
    expect((await rooms(`subjectOwnerId=${USERS.bob}&searchArea=Active`)).titles).toEqual(["Board minutes"]);
    expect((await rooms(`subjectOwnerId=${USERS.bob}&searchArea=Archive`)).titles).toEqual(["2025 audit"]);
    expect((await rooms(`subjectOwnerId=${USERS.bob}&searchArea=1`)).titles).toEqual(["2025 audit"]);
    expect((await rooms(`subjectOwnerId=${USERS.bob}&searchArea=2`)).titles).toEqual(["2025 audit", "Board minutes"]);
    expect((await rooms(`subjectOwnerId=${USERS.mark}&searchArea=Any`)).content).toMatchObject({ folders: [], total: 0 });
  });

  it("pages with count and startIndex; count outside 1..100 is a validation 400", async () => {
    for (let i = 0; i < 5; i++) s.portal.addRoom({ title: `Room ${i}`, ownerId: USERS.mark, archived: i === 4 });
    const first = await rooms(`subjectOwnerId=${USERS.mark}&searchArea=Any&count=2&startIndex=0`);
    const last = await rooms(`subjectOwnerId=${USERS.mark}&searchArea=Any&count=2&startIndex=4`);
    expect(first.content).toMatchObject({ count: 2, total: 5, startIndex: 0 });
    expect(last.content).toMatchObject({ count: 1, total: 5, startIndex: 4 });
    expect([...first.titles, ...last.titles]).toEqual(["Room 0", "Room 1", "Room 4"]);
    const bad = await call("GET", "files/rooms?count=0");
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ status: 1, statusCode: 400, response: { title: "One or more validation errors occurred." } });
  });

  it("needs rooms:read (or rooms:write or a global scope): an accounts-only key gets 403 with an empty body", async () => {
    const denied = await rooms(`subjectOwnerId=${USERS.john}`, KEYS.readonly);
    expect(denied.status).toBe(403);
    expect(denied.text).toBe("");
    for (const scopes of [["rooms:read"], ["rooms:write"], ["*:read"]]) {
      const key = `sk-sim-scoped-${scopes[0]!.replace(/\W/g, "")}`;
      s.portal.addApiKey(USERS.admin, key, scopes);
      expect((await rooms(`subjectOwnerId=${USERS.john}`, key)).status).toBe(200);
    }
  });

  it("shows a non-admin only the rooms they hold; a portal admin sees everyone's", async () => {
    expect((await rooms(`subjectOwnerId=${USERS.john}`, KEYS.roomAdmin)).content).toMatchObject({ total: 0 });
    expect((await rooms(`subjectOwnerId=${USERS.teamLead}`, KEYS.roomAdmin)).titles).toEqual(["Team handbook"]);
    expect((await rooms(`subjectOwnerId=${USERS.john}`, KEYS.admin)).titles).toEqual(["Customer contracts", "Sales pipeline"]);
  });

  it("reassign/necessary is true for an active room's owner (seeded rooms or the old ownsRooms flag) and false otherwise", async () => {
    const necessary = async (id: string): Promise<unknown> => (await call("GET", `people/reassign/necessary?userId=${id}&type=User`)).json!.response;
    const carl = s.portal.addUser({ email: "carl.rooms@example.com" });
    expect(await necessary(carl.id)).toBe(false);
    // AnyRoomsAsync looks in the Rooms section only: an archived room does not count.
    s.portal.addRoom({ title: "Carl's old room", ownerId: carl.id, archived: true });
    expect(await necessary(carl.id)).toBe(false);
    s.portal.addRoom({ title: "Carl's room", ownerId: carl.id });
    expect(await necessary(carl.id)).toBe(true);
    const dora = s.portal.addUser({ email: "dora.flag@example.com", ownsRooms: true });
    expect(await necessary(dora.id)).toBe(true);
  });
});

describe("what a completed removal or transfer does to rooms, storage and groups", () => {
  it("a completed remove/start hands every room to the caller and the profile (with its storage) is gone", async () => {
    await complete("people/remove/start", { userId: USERS.john }, USERS.john);
    expect((await rooms(`subjectOwnerId=${USERS.john}&searchArea=Any`)).content).toMatchObject({ total: 0 });
    expect((await rooms(`subjectOwnerId=${USERS.owner}&searchArea=Any`)).titles).toEqual(["Customer contracts", "Sales pipeline"]);
    expect((await call("GET", `people/${USERS.john}`)).status).toBe(404);
    expect(s.portal.users.get(USERS.john)!.usedSpace).toBe(0);
    // Sales loses its manager; its members stay.
    expect((await profile(USERS.mark)).groups).toEqual([
      { id: "0c1d7b52-5a8e-4f3e-9b1a-6e2f4c8d9a01", name: "Sales" },
      { id: "7a3e9f10-2b4c-4d6e-8f01-23456789abcd", name: "Support", },
    ]);
  });

  it("rooms do not move while the task runs, nor when it fails", async () => {
    s.portal.options.taskDurationMs = 10_000;
    await call("PUT", "people/status/2", { body: { userIds: [USERS.john] } });
    await call("POST", "people/remove/start", { body: { userId: USERS.john } });
    expect((await rooms(`subjectOwnerId=${USERS.john}&searchArea=Any`)).content).toMatchObject({ total: 2 });
    s.portal.options.taskDurationMs = 50;
    s.portal.failNext.set(USERS.bob, "Disk error");
    await call("PUT", "people/status/2", { body: { userIds: [USERS.bob] } });
    await call("POST", "people/reassign/start", { body: { fromUserId: USERS.bob, toUserId: USERS.teamLead } });
    await wait(150);
    expect((await call("GET", `people/reassign/progress/${USERS.bob}`)).json!.response).toMatchObject({ status: 4 });
    expect((await rooms(`subjectOwnerId=${USERS.bob}&searchArea=Any`)).content).toMatchObject({ total: 2 });
  });

  it("a completed reassign without deleteProfile moves the rooms to toUser and keeps the disabled profile with its storage", async () => {
    await complete("people/reassign/start", { fromUserId: USERS.bob, toUserId: USERS.teamLead, deleteProfile: false }, USERS.bob);
    expect((await rooms(`subjectOwnerId=${USERS.teamLead}&searchArea=Any`)).titles).toEqual(["2025 audit", "Board minutes", "Team handbook"]);
    expect((await rooms(`subjectOwnerId=${USERS.bob}&searchArea=Any`)).content).toMatchObject({ total: 0 });
    expect(await profile(USERS.bob)).toMatchObject({ status: 2, usedSpace: 0 });
    expect((await call("GET", `people/reassign/necessary?userId=${USERS.bob}&type=DocSpaceAdmin`)).json!.response).toBe(false);
    await complete("people/reassign/start", { fromUserId: USERS.mark, toUserId: USERS.teamLead, deleteProfile: false }, USERS.mark);
    expect(await profile(USERS.mark)).toMatchObject({ status: 2, usedSpace: 125829120 });
  });

  it("a completed reassign with deleteProfile moves the rooms and removes the profile", async () => {
    await complete("people/reassign/start", { fromUserId: USERS.john, toUserId: USERS.archive, deleteProfile: true }, USERS.john);
    expect((await rooms(`subjectOwnerId=${USERS.archive}&searchArea=Any`)).titles).toEqual(["Customer contracts", "Sales pipeline"]);
    expect((await call("GET", `people/${USERS.john}`)).status).toBe(404);
  });
});

describe("profile fields for the impact report", () => {
  it("usedSpace is there for an admin viewer and for oneself, never for anyone else", async () => {
    expect(await profile(USERS.mark, KEYS.owner)).toMatchObject({ usedSpace: 125829120 });
    expect(await profile(USERS.mark, KEYS.admin)).toMatchObject({ usedSpace: 125829120 });
    expect(await profile(USERS.mark, KEYS.roomAdmin)).not.toHaveProperty("usedSpace");
    expect(await profile(USERS.jane, KEYS.user)).toMatchObject({ usedSpace: 5242880 });
    expect((await call("GET", "people/@self", { key: KEYS.user })).json!.response).toMatchObject({ usedSpace: 5242880 });
    expect(await profile(USERS.owner, KEYS.owner)).toMatchObject({ usedSpace: 0 });
  });

  it("usedSpace is absent for everyone when the tariff does not count storage (quotaStatistics off)", async () => {
    s.portal.options.quotaStatistics = false;
    expect(await profile(USERS.mark, KEYS.owner)).not.toHaveProperty("usedSpace");
    expect((await call("GET", "people/@self", { key: KEYS.user })).json!.response).not.toHaveProperty("usedSpace");
  });

  it("groups carry the manager's userName (GroupSummaryDto), department joins the names, no groups means department ''", async () => {
    const mark = await profile(USERS.mark);
    expect(mark.groups).toEqual([
      { id: "0c1d7b52-5a8e-4f3e-9b1a-6e2f4c8d9a01", name: "Sales", manager: "john.smith" },
      { id: "7a3e9f10-2b4c-4d6e-8f01-23456789abcd", name: "Support" },
    ]);
    expect(mark.department).toBe("Sales, Support");
    // The manager is a member too, as DocSpace makes them.
    expect((await profile(USERS.john)).groups).toEqual([{ id: "0c1d7b52-5a8e-4f3e-9b1a-6e2f4c8d9a01", name: "Sales", manager: "john.smith" }]);
    const jules = await profile(s.portal.addUser({ email: "jules.nogroup@example.com" }).id);
    expect(jules).not.toHaveProperty("groups");
    expect(jules.department).toBe("");
    s.portal.addGroup({ name: "R&D <lab>", memberIds: [USERS.jane] });
    expect((await profile(USERS.jane)).department).toBe("Sales, R&amp;D &lt;lab&gt;");
  });

  it("isSSO, isLDAP, activationStatus, terminated and registrationDate as set by the seed or addUser", async () => {
    expect(await profile(USERS.nora)).toMatchObject({ isSSO: true, isLDAP: false, activationStatus: 1 });
    expect(await profile(USERS.ldap)).toMatchObject({ isSSO: false, isLDAP: true });
    const since = new Date("2026-02-03T04:05:06Z");
    const u = s.portal.addUser({ email: "tina.terminated@example.com", status: 2, terminatedAt: since, registeredAt: new Date("2024-01-01T00:00:00Z"), activationStatus: 0 });
    expect(await profile(u.id)).toMatchObject({ status: 2, activationStatus: 0, terminated: "2026-02-03T04:05:06.0000000+00:00", registrationDate: "2024-01-01T00:00:00.0000000+00:00" });
  });

  it("a pending invitation: status 4 (Pending), activationStatus 2, and createdBy names the inviter for an admin viewer only", async () => {
    const paul = await profile(USERS.paul, KEYS.owner);
    expect(paul).toMatchObject({ status: 4, activationStatus: 2, createdBy: { id: USERS.teamLead, displayName: "Tess Lead" } });
    expect(await profile(USERS.paul, KEYS.roomAdmin)).not.toHaveProperty("createdBy");
  });
});

describe("GET group/user/{userid}", () => {
  it("returns the user's groups as GroupSummaryDto, the manager as a userName", async () => {
    const r = await call("GET", `group/user/${USERS.mark}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ count: 2, statusCode: 200 });
    expect(r.json!.response).toEqual([
      { id: "0c1d7b52-5a8e-4f3e-9b1a-6e2f4c8d9a01", name: "Sales", manager: "john.smith" },
      { id: "7a3e9f10-2b4c-4d6e-8f01-23456789abcd", name: "Support" },
    ]);
  });

  it("an unknown user has no groups (200, empty list); a non-GUID is a bare 404", async () => {
    const r = await call("GET", "group/user/00000000-0000-4000-8000-000000000001");
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ response: [], count: 0 });
    const bad = await call("GET", "group/user/mark");
    expect(bad.status).toBe(404);
    expect(bad.text).toBe("");
  });

  it("needs accounts:read: a rooms-only key gets 403 with an empty body; guests are refused", async () => {
    expect((await call("GET", `group/user/${USERS.mark}`, { key: KEYS.readonly })).status).toBe(200);
    s.portal.addApiKey(USERS.admin, "sk-sim-rooms-only", ["rooms:read"]);
    const denied = await call("GET", `group/user/${USERS.mark}`, { key: "sk-sim-rooms-only" });
    expect(denied.status).toBe(403);
    expect(denied.text).toBe("");
    expect((await call("GET", `group/user/${USERS.mark}`, { key: KEYS.guest })).status).toBe(403);
  });
});

describe("report filters on people/filter and people/status/{status}", () => {
  it("accountLoginType: 0 SSO, 1 LDAP, 2 standard (names work too)", async () => {
    expect(await emails("accountLoginType=0")).toEqual(["nora.north@example.com"]);
    expect(await emails("accountLoginType=SSO")).toEqual(["nora.north@example.com"]);
    expect(await emails("accountLoginType=1")).toEqual(["ldap.larry@example.com"]);
    const standard = await emails("accountLoginType=2");
    expect(standard).toHaveLength(12);
    expect(standard).not.toContain("nora.north@example.com");
    expect(standard).not.toContain("ldap.larry@example.com");
  });

  it("activationStatus and inviterId find pending invitations and who sent them", async () => {
    expect(await emails("activationStatus=2")).toEqual(["paul.park@example.com"]);
    expect(await emails("activationStatus=Pending")).toEqual(["paul.park@example.com"]);
    expect(await emails(`inviterId=${USERS.teamLead}`)).toEqual(["paul.park@example.com"]);
    expect(await emails(`inviterId=${USERS.owner}`)).toEqual([]);
    expect((await call("GET", "people/filter?inviterId=tess")).status).toBe(400);
  });

  it("area (People, Guests) and employeeType (the owner counts as a DocSpace admin)", async () => {
    expect(await emails("area=Guests")).toEqual(["guest.gail@example.com", "paul.park@example.com"]);
    expect(await emails("area=2")).toEqual(["guest.gail@example.com", "paul.park@example.com"]);
    expect(await emails("area=1")).toHaveLength(12);
    expect(await emails("employeeType=DocSpaceAdmin")).toEqual(["admin.bob@example.com", "dana.admin@example.com", "olivia.owner@example.com"]);
    expect(await emails("employeeType=1")).toEqual(["archive@example.com", "former.lead@example.com", "john.smith@example.com", "team.lead@example.com"]);
    expect(await emails("employeeTypes=2&employeeTypes=3")).toHaveLength(5);
    expect((await call("GET", "people/filter?employeeType=Boss")).status).toBe(400);
  });

  it("employeeStatus and GET people/status/{status} (name or number) give the same disabled people", async () => {
    const disabled = ["former.lead@example.com", "suspended.sam@example.com"];
    expect(await emails("employeeStatus=2")).toEqual(disabled);
    for (const path of ["people/status/2", "people/status/Terminated"]) {
      const r = await call("GET", path);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ total: 2 });
      expect((r.json!.response as Json[]).map((u) => u.email).sort()).toEqual(disabled);
    }
    expect((await call("GET", "people/status/2?accountLoginType=2&count=1")).json).toMatchObject({ count: 1, total: 2 });
    expect((await call("GET", "people/status/2", { key: KEYS.user })).status).toBe(403);
    expect((await call("GET", "people/status/Gone")).status).toBe(400);
  });

  it("pages in a stable order: consecutive pages cover every match once, with total in the envelope", async () => {
    const seen: string[] = [];
    for (let start = 0; start < 14; start += 4) {
      const r = await call("GET", `people/filter?count=4&startIndex=${start}`);
      expect(r.json).toMatchObject({ total: 14 });
      seen.push(...(r.json!.response as Json[]).map((u) => u.id as string));
    }
    expect(new Set(seen).size).toBe(14);
    expect((await call("GET", "people/filter?count=0")).status).toBe(400);
    expect((await call("GET", "people/filter?count=100")).status).toBe(200);
  });

  it("filters combine with filterValue and with each other", async () => {
    expect(await emails("area=People&employeeStatus=2&filterValue=sam")).toEqual(["suspended.sam@example.com"]);
    expect(await emails("accountLoginType=0&employeeType=RoomAdmin")).toEqual([]);
  });
});

describe("402 from a paid feature", () => {
  it("paymentRequired(route) answers that route with 402 and DocSpace's error envelope, every time", async () => {
    s.inject(sim.paymentRequired("GET files/rooms"));
    for (let i = 0; i < 2; i++) {
      const r = await call("GET", `files/rooms?subjectOwnerId=${USERS.john}`);
      expect(r.status).toBe(402);
      expect(r.json).toMatchObject({ status: 1, statusCode: 402, error: { message: expect.any(String), type: expect.stringContaining("Billing") } });
      expect(r.json).not.toHaveProperty("response");
    }
    expect((await call("GET", `people/${USERS.john}`)).status).toBe(200);
  });

  it("a missing scope still wins over the 402 (the auth pipeline runs first)", async () => {
    s.inject(sim.paymentRequired("GET files/rooms"));
    const r = await call("GET", `files/rooms?subjectOwnerId=${USERS.john}`, { key: KEYS.readonly });
    expect(r.status).toBe(403);
    expect(r.text).toBe("");
    // The 402 is there for a key that passes the auth pipeline.
    expect((await call("GET", `files/rooms?subjectOwnerId=${USERS.john}`)).status).toBe(402);
  });
});
