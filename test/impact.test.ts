/**
 * The removal impact preview: what a removal, a transfer or a disable would do to one person's
 * data, read from the simulator with GETs only, and how it is shown (text block, pull-request
 * table, stack output). Optional reads that fail leave "unknown (why)" and never a write.
 */
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromDist, KEYS, pkg, startSimulator, USERS, type Simulator } from "./helpers";
import type * as ImpactModule from "../provider/impact/impact";
import type * as RenderModule from "../provider/impact/render";
import type * as ServerModule from "../simulator/server";

const { readImpact, isUnknown } = fromDist("provider/impact/impact.js") as typeof ImpactModule;
const { renderImpactBlock, renderImpactSummary, impactAsOutput, humanBytes, escapeCell, GITHUB_COMMENT_LIMIT } = fromDist("provider/impact/render.js") as typeof RenderModule;
const server = fromDist("simulator/server.js") as typeof ServerModule;
const { DocSpaceClient } = pkg;
type Client = InstanceType<typeof DocSpaceClient>;
type Impact = ImpactModule.Impact;
type Employee = Awaited<ReturnType<Client["userById"]>>;

const GB = 1024 ** 3;

// ---- pure rendering ----------------------------------------------------------------------

function fakeImpact(n: number, over: Partial<Impact> = {}): Impact {
  return {
    account: { id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, name: `Person ${n}`, email: `person.${n}@example.com`, kind: "User", isOwner: false, signIn: "standard", status: "disabled" },
    action: "remove",
    rooms: { total: n % 7, titles: Array.from({ length: Math.min(5, n % 7) }, (_, k) => `Room ${n}-${k}`) },
    roomsGoTo: { id: USERS.owner, name: "Olivia Owner", email: "olivia.owner@example.com" },
    personalData: { bytes: n * 1024 * 1024, fate: "shared-moved-rest-deleted" },
    sharedItemsGoTo: { id: USERS.owner, name: "Olivia Owner", email: "olivia.owner@example.com" },
    ownsOrJoinsRooms: n % 7 > 0,
    managedGroups: [],
    pendingInvitationsSent: 0,
    warnings: n % 7 > 0 ? [`Owns ${n % 7} rooms, which go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them.`] : [],
    ...over,
  };
}

describe("rendering (pure)", () => {
  it("shows sizes in human units", () => {
    expect(humanBytes(0)).toBe("0 B");
    expect(humanBytes(512 * 1024)).toBe("512 KB");
    expect(humanBytes(1.2 * GB)).toBe("1.2 GB");
    expect(humanBytes(15 * GB)).toBe("15 GB");
    expect(humanBytes(1024 * 1024 - 1)).toBe("1.0 MB");
  });

  it("says plainly that a transfer deletes everything but the shared items, up to the size (the shared items are part of it)", () => {
    const tess = { name: "Tess Lead" };
    const block = renderImpactBlock(
      fakeImpact(3, { action: "remove", successor: tess, sharedItemsGoTo: tess, roomsGoTo: tess, personalData: { bytes: 1.2 * GB, fate: "shared-moved-rest-deleted" }, warnings: [] }),
    );
    expect(block).toContain(
      "Personal documents: 1.2 GB → only the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of Tess Lead; everything else in My documents and its trash is deleted with the profile, up to 1.2 GB (a transfer does not save personal documents)",
    );
    expect(block.split("\n").length).toBeLessThanOrEqual(10);
  });

  it("a removal without transferTo: the shared items move to the key's account (RemoveProgressItem's MoveSharedEntriesAsync); only the rest is deleted, up to usedSpace", () => {
    const impact = fakeImpact(4, { personalData: { bytes: 1.5 * GB, fate: "shared-moved-rest-deleted" }, rooms: { total: 0, titles: [] }, warnings: [] });
    const block = renderImpactBlock(impact);
    expect(block.split("\n")[0]).toBe(
      "Person 4 <person.4@example.com>: remove: rooms and shared items go to Olivia Owner <olivia.owner@example.com>, the rest of the personal documents and the profile are deleted",
    );
    expect(block).toContain(
      "Personal documents: 1.5 GB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of Olivia Owner <olivia.owner@example.com>; everything else in My documents and its trash is deleted with the profile, up to 1.5 GB",
    );
    expect(block).not.toMatch(/all deleted|including items they shared/);
    const row = renderImpactSummary([impact]).split("\n").find((l) => l.startsWith("| person.4@"));
    expect(row).toBe("| person.4@example.com (Person 4) | remove | none | up to 1.5 GB, all but shared items | any → Olivia Owner |  |");
    // Unknown or zero sizes are not bounded by a figure.
    expect(renderImpactBlock(fakeImpact(4, { personalData: { bytes: { unknown: "no quota" }, fate: "shared-moved-rest-deleted" } }))).toContain(
      "Personal documents: size unknown (no quota) → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of Olivia Owner <olivia.owner@example.com>; everything else in My documents and its trash is deleted with the profile\n",
    );
    expect(renderImpactSummary([fakeImpact(4, { personalData: { bytes: 0, fate: "shared-moved-rest-deleted" } })])).toContain("| 0 B, all but shared items | any → Olivia Owner |");
  });

  it("transfer keeping the profile: the shared items move, the rest stays and nothing is deleted", () => {
    const tess = { name: "Tess Lead" };
    const block = renderImpactBlock(fakeImpact(5, { action: "transfer", successor: tess, sharedItemsGoTo: tess, roomsGoTo: tess, personalData: { bytes: 5 * GB, fate: "shared-moved-rest-kept" }, warnings: [] }));
    expect(block).toContain(
      "Personal documents: 5.0 GB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of Tess Lead; the rest (My documents and its trash) stays with the disabled profile, nothing is deleted",
    );
  });

  it("says what reassign/necessary answers (rooms owned or joined; for a guest, also shared items), never 'nothing to move'", () => {
    const yes = renderImpactBlock(fakeImpact(1, { ownsOrJoinsRooms: true }));
    const no = renderImpactBlock(fakeImpact(7, { ownsOrJoinsRooms: false }));
    expect(yes).toContain("\n  Owns or joins rooms: yes (reassign/necessary)\n");
    expect(no).toContain("\n  Owns or joins rooms: no (reassign/necessary)\n");
    const guest = renderImpactBlock(fakeImpact(7, { account: { ...fakeImpact(7).account, kind: "Guest" }, ownsOrJoinsRooms: false }));
    expect(guest).toContain("\n  Owns or joins rooms, or shares items: no (reassign/necessary)\n");
    for (const b of [yes, no, guest]) expect(b).not.toMatch(/Transfer needed|nothing to move|DocSpace has/);
    expect(impactAsOutput(fakeImpact(1, { ownsOrJoinsRooms: true }))).toMatchObject({ ownsOrJoinsRooms: true });
    expect(impactAsOutput(fakeImpact(1))).not.toHaveProperty("transferNeeded");
  });

  it("writes an unknown fact as 'unknown (why)'", () => {
    const block = renderImpactBlock(fakeImpact(1, { rooms: { unknown: "the key lacks rooms:read" }, managedGroups: { unknown: "the portal answered 500" } }));
    expect(block).toContain("Rooms owned: unknown (the key lacks rooms:read)");
    expect(block).toContain("Groups managed: unknown (the portal answered 500)");
  });

  it("escapes pipes, line breaks, HTML and @mentions in table cells", () => {
    expect(escapeCell("a|b\nc\r\nd <b>x</b> @org/team mail@example.com")).toBe("a\\|b c d &lt;b&gt;x&lt;/b&gt; @\u200borg/team mail@example.com");
    const md = renderImpactSummary([fakeImpact(1, { account: { ...fakeImpact(1).account, name: "Eve | Evil\n| x | y |" }, warnings: ["line one\nline two"] })]);
    const rows = md.split("\n").filter((l) => l.startsWith("|"));
    expect(rows).toHaveLength(3);
    // Every row has exactly the 7 unescaped pipes of 6 cells.
    for (const r of rows) expect(r.replace(/\\\|/g, "").split("|")).toHaveLength(8);
  });

  it("keeps the caller's order when everything fits", () => {
    const md = renderImpactSummary([fakeImpact(1), fakeImpact(50), fakeImpact(2)], { title: "Run 42" });
    expect(md.startsWith("### Run 42\n")).toBe(true);
    const order = [...md.matchAll(/person\.(\d+)@/g)].map((m) => Number(m[1]));
    expect(order).toEqual([1, 50, 2]);
    expect(md).not.toContain("more account");
  });

  it("stays within GitHub's 65,536 characters for 3,000 accounts: largest impacts first, then a count of the rest", () => {
    const impacts = Array.from({ length: 3000 }, (_, n) => fakeImpact(n + 1));
    const md = renderImpactSummary(impacts);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const shown = [...md.matchAll(/\| person\.(\d+)@/g)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThan(100);
    // Bytes grow with n here, so the largest are the highest numbers, in descending order.
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, k) => 3000 - k));
    expect(md).toContain(`… and ${3000 - shown.length} more accounts`);
  });

  it("ranks by data deleted, then rooms changing owner; a disable deletes nothing", () => {
    const big = fakeImpact(1, { personalData: { bytes: 9 * GB, fate: "shared-moved-rest-deleted" } });
    const disabled = fakeImpact(2, { action: "disable", personalData: { bytes: 50 * GB, fate: "untouched" } });
    const rooms = fakeImpact(3, { personalData: { bytes: 0, fate: "shared-moved-rest-deleted" }, rooms: { total: 6, titles: [] } });
    const filler = Array.from({ length: 2000 }, (_, n) => fakeImpact(10 + n, { personalData: { bytes: 0, fate: "shared-moved-rest-deleted" }, rooms: { total: 0, titles: [] }, warnings: [] }));
    const md = renderImpactSummary([...filler, disabled, rooms, big]);
    const shown = [...md.matchAll(/\| person\.(\d+)@/g)].map((m) => Number(m[1]));
    expect(shown.slice(0, 2)).toEqual([1, 3]);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
  });

  it("gives the stack output the same facts as JSON-safe data", () => {
    const out = impactAsOutput(fakeImpact(3, { managedGroups: { unknown: "the portal answered 500" } }));
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    expect(out).toMatchObject({
      action: "remove",
      rooms: { total: 3 },
      personalData: { bytes: 3 * 1024 * 1024, human: "3.0 MB", fate: "shared-moved-rest-deleted" },
      sharedItemsGoTo: { id: USERS.owner, name: "Olivia Owner" },
      managedGroups: { unknown: "the portal answered 500" },
    });
    expect(out).not.toHaveProperty("successor");
  });
});

// ---- against the simulator ---------------------------------------------------------------

let s: Simulator;
let owner: Client;
const clientFor = (key: string, extra: Record<string, number> = {}): Client => new DocSpaceClient({ url: s.url, apiKey: key, maxRetries: 2, maxRetryDelayMs: 50, ...extra });

/** Runs one impact read and returns it with the requests it made. */
async function measured(client: Client, plan: ImpactModule.ImpactPlan): Promise<{ impact: Impact; requests: string[] }> {
  const before = s.log.length;
  const impact = await readImpact(client, plan);
  return { impact, requests: s.log.slice(before).map((r) => `${r.method} ${r.route}`) };
}

function seedLeaver(opts: { sso?: boolean; ldap?: boolean; usedSpace?: number; rooms?: number; type?: "User" | "RoomAdmin" } = {}): string {
  const u = s.portal.addUser({ email: `leaver.${Math.random().toString(36).slice(2, 8)}@example.com`, type: opts.type ?? "RoomAdmin", status: 2, terminatedAt: new Date("2026-02-03T10:00:00Z"), sso: opts.sso, ldap: opts.ldap, usedSpace: opts.usedSpace ?? 0 });
  for (let k = 1; k <= (opts.rooms ?? 0); k++) s.portal.addRoom({ title: `Project ${k}`, ownerId: u.id, archived: k === 2 });
  return u.id;
}

describe("reading the impact from the portal", () => {
  let key: Employee;
  beforeEach(async () => {
    s = await startSimulator();
    owner = clientFor(KEYS.owner);
    key = await owner.self();
  });
  afterEach(async () => s.stop());

  it("removal: counts the rooms (active and archived) that go to the key's owner, the shared items that move to them, the personal data it deletes, and warns naming the rooms", async () => {
    const id = seedLeaver({ rooms: 3, usedSpace: 1.2 * GB });
    const account = await owner.userById(id);
    const { impact, requests } = await measured(owner, { account, action: "remove", keyAccount: key });
    expect(impact.rooms).toEqual({ total: 3, titles: ["Project 1", "Project 2", "Project 3"] });
    expect(impact.roomsGoTo).toMatchObject({ id: USERS.owner });
    expect(impact.personalData).toEqual({ bytes: 1.2 * GB, fate: "shared-moved-rest-deleted" });
    expect(impact.sharedItemsGoTo).toMatchObject({ id: USERS.owner });
    expect(impact.successor).toBeUndefined();
    expect(impact.ownsOrJoinsRooms).toBe(true);
    expect(impact.warnings.join(" ")).toMatch(/Owns 3 rooms \(Project 1, Project 2, Project 3\), which go to Olivia Owner because no transferTo is set/);
    const block = renderImpactBlock(impact);
    expect(block).toContain("Rooms owned: 3 (Project 1, Project 2, Project 3) → owned afterwards by Olivia Owner");
    expect(block).toContain("Personal documents: 1.2 GB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of Olivia Owner <olivia.owner@example.com>; everything else in My documents and its trash is deleted with the profile, up to 1.2 GB\n");
    expect(block).toContain("Owns or joins rooms: yes (reassign/necessary)");
    expect(renderImpactSummary([impact])).toContain("| remove | 3 → Olivia Owner | up to 1.2 GB, all but shared items | any → Olivia Owner |");
    expect(block).toContain("disabled (DocSpace's terminated date 2026-02-03, which may be older than this disable)");
    expect(requests.every((r) => r.startsWith("GET "))).toBe(true);
    expect(s.writes()).toEqual([]);
  });

  it("makes 3 GETs per account for a removal or a transfer (rooms, transfer needed, invitations) and 2 for a disable, in parallel: the groups come with the profile", async () => {
    const id = seedLeaver({ rooms: 2 });
    s.portal.addGroup({ name: "Sales", managerId: id, memberIds: [] });
    const account = await owner.userById(id);
    const remove = await measured(owner, { account, action: "remove", keyAccount: key });
    expect(remove.requests.sort()).toEqual(["GET files/rooms", "GET people/filter", "GET people/reassign/necessary"]);
    expect(remove.impact.managedGroups).toEqual([{ id: expect.any(String), name: "Sales" }]);
    const disable = await measured(owner, { account, action: "disable" });
    expect(disable.requests.sort()).toEqual(["GET files/rooms", "GET people/filter"]);

    await s.stop();
    s = await startSimulator({ latencyMs: 100 });
    owner = clientFor(KEYS.owner);
    const slow = s.portal.addUser({ email: "slow.sid@example.com", type: "User", status: 2 });
    await readImpact(owner, { account: await owner.userById(slow.id), action: "remove" });
    expect(s.maxRequestsInFlight).toBeGreaterThanOrEqual(3);
  });

  it("more rooms than a handful: all are counted, five are named", async () => {
    const id = seedLeaver({ rooms: 12 });
    const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
    expect(impact.rooms).toMatchObject({ total: 12 });
    expect(isUnknown(impact.rooms) ? [] : impact.rooms.titles).toHaveLength(5);
    expect(renderImpactBlock(impact)).toContain("Project 5 and 7 more) → owned afterwards by");
  });

  it("transfer: rooms and shared items go to the successor, the rest of the personal documents is deleted with the profile", async () => {
    const id = seedLeaver({ rooms: 1, usedSpace: 300 * 1024 * 1024 });
    const successor = await owner.userById(USERS.teamLead);
    const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove", successor, keyAccount: key });
    expect(impact.roomsGoTo).toMatchObject({ id: USERS.teamLead });
    expect(impact.sharedItemsGoTo).toMatchObject({ id: USERS.teamLead });
    expect(impact.successor).toMatchObject({ id: USERS.teamLead });
    expect(impact.personalData).toEqual({ bytes: 300 * 1024 * 1024, fate: "shared-moved-rest-deleted" });
    expect(impact.warnings).toEqual([]);
    const block = renderImpactBlock(impact);
    expect(block).toContain("300 MB → only the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of Tess");
    expect(block).toContain("everything else in My documents and its trash is deleted with the profile, up to 300 MB (a transfer does not save personal documents)");
    expect(renderImpactSummary([impact])).toMatch(/\| transfer, remove \| 1 → .* \| up to 300 MB, all but shared items \| any → /);
    expect(s.writes()).toEqual([]);
  });

  it("transfer keeping the profile leaves the personal folder with the disabled profile", async () => {
    const id = seedLeaver({ usedSpace: 5 * GB });
    const { impact } = await measured(owner, { account: await owner.userById(id), action: "transfer", successor: await owner.userById(USERS.teamLead) });
    expect(impact.personalData.fate).toBe("shared-moved-rest-kept");
    expect(impact.ownsOrJoinsRooms).toBe(false);
    const block = renderImpactBlock(impact);
    expect(block).toContain("5.0 GB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of Tess");
    expect(block).toContain("Owns or joins rooms: no (reassign/necessary)");
    expect(block).not.toContain("nothing to move");
    expect(renderImpactSummary([impact])).toMatch(/\| transfer, keep profile \| none \| none \| any → Tess Lead \|/);
  });

  it("disable only: data untouched, rooms stay, no transfer question asked", async () => {
    const id = seedLeaver({ rooms: 2, usedSpace: 2 * GB });
    const { impact, requests } = await measured(owner, { account: await owner.userById(id), action: "disable" });
    expect(impact.personalData).toEqual({ bytes: 2 * GB, fate: "untouched" });
    expect(impact.ownsOrJoinsRooms).toBeUndefined();
    expect(impact.sharedItemsGoTo).toBeUndefined();
    expect(requests).not.toContain("GET people/reassign/necessary");
    const block = renderImpactBlock(impact);
    expect(block).toContain("disable only: signed out everywhere, data untouched");
    expect(block).toContain("→ stay with the disabled account");
  });

  it("SSO and LDAP accounts: warns that the identity provider may create them again", async () => {
    const sso = seedLeaver({ sso: true });
    const i1 = await readImpact(owner, { account: await owner.userById(sso), action: "remove" });
    expect(i1.account.signIn).toBe("SSO");
    expect(i1.warnings.join(" ")).toContain("Signs in with SSO: the identity provider may create the account again at its next sign-in");
    const i2 = await readImpact(owner, { account: await owner.userById(USERS.ldap), action: "remove" });
    expect(i2.account.signIn).toBe("LDAP");
    expect(renderImpactBlock(i2)).toContain("signs in through LDAP");
  });

  it("reads the groups route when the profile does not say (no department: its fields were trimmed)", async () => {
    const id = seedLeaver();
    s.portal.addGroup({ name: "Sales", managerId: id, memberIds: [] });
    const { department: _d, groups: _g, ...trimmed } = (await owner.userById(id)) as Employee & { department?: string; groups?: unknown };
    const { impact, requests } = await measured(owner, { account: trimmed, action: "remove" });
    expect(requests).toContain("GET group/user/{userid}");
    expect(isUnknown(impact.managedGroups) ? impact.managedGroups : impact.managedGroups.map((g) => g.name)).toEqual(["Sales"]);
  });

  it("names the groups the person manages (they lose their manager), not those they only belong to", async () => {
    const id = seedLeaver();
    s.portal.addGroup({ name: "Sales", managerId: id, memberIds: [USERS.jane] });
    s.portal.addGroup({ name: "Everyone", managerId: USERS.jane, memberIds: [id] });
    const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove" });
    expect(isUnknown(impact.managedGroups) ? impact.managedGroups : impact.managedGroups.map((g) => g.name)).toEqual(["Sales"]);
    expect(impact.warnings.join(" ")).toContain("Manages the group Sales, which will have no manager.");
    expect(renderImpactBlock(impact)).toContain("Groups managed: Sales → left without a manager");
  });

  it("keeps portal text on one line: a room, a name and a group with line breaks or ``` cannot fake lines or close the fence", async () => {
    const u = s.portal.addUser({ email: "multi.line@example.com", type: "User", status: 2, firstName: "Mallory\n  Personal documents: 0 B → untouched\n```", lastName: "Lines" });
    s.portal.addRoom({ title: "Budget\n  Rooms owned: none\r\n```\n\tWarning: fake", ownerId: u.id });
    s.portal.addGroup({ name: "Ops\u2028```team", managerId: u.id, memberIds: [] });
    const impact = await readImpact(owner, { account: await owner.userById(u.id), action: "remove", keyAccount: key });
    // Flattened where read, not only where printed.
    expect(impact.account.name).toBe("Mallory Personal documents: 0 B → untouched ''' Lines");
    expect(impact.rooms).toEqual({ total: 1, titles: ["Budget Rooms owned: none ''' Warning: fake"] });
    expect(isUnknown(impact.managedGroups) ? impact.managedGroups : impact.managedGroups.map((g) => g.name)).toEqual(["Ops '''team"]);
    const block = renderImpactBlock(impact);
    // Header, account, rooms, personal documents, owns or joins rooms, groups, invitations, and two warnings (rooms, group).
    expect(block.split("\n")).toHaveLength(9);
    expect(block).not.toContain("```");
    expect(block.split("\n").filter((l) => l.startsWith("  Personal documents:"))).toHaveLength(1);
  });

  it("a block built outside the reads still stays on its own lines, without ```", () => {
    const block = renderImpactBlock(fakeImpact(1, { account: { ...fakeImpact(1).account, name: "Eve\n```" }, warnings: ["one\ntwo ```"] }));
    expect(block.split("\n")).toHaveLength(8);
    expect(block).not.toContain("```");
  });

  it("names at most five managed groups in the warning, then counts the rest", async () => {
    const id = seedLeaver();
    for (let k = 1; k <= 12; k++) s.portal.addGroup({ name: `Team ${String(k).padStart(2, "0")}`, managerId: id, memberIds: [] });
    const impact = await readImpact(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
    expect(impact.managedGroups).toHaveLength(12);
    const warning = impact.warnings.find((w) => w.startsWith("Manages"));
    expect(warning).toMatch(/^Manages the groups (Team \d\d, ){4}Team \d\d and 7 more, which will have no manager\.$/);
  });

  it("status and invitations: an invitation never accepted, and the pending invitations the person sent", async () => {
    const id = seedLeaver();
    // DocSpace creates an invitation as status 4 (Pending), activation 2 (UserManagerWrapper.AddInvitedUserAsync).
    for (const n of [1, 2]) s.portal.addUser({ email: `invitee.${n}@example.com`, type: "User", status: 4, activationStatus: 2, invitedById: id });
    s.portal.addUser({ email: "accepted.one@example.com", type: "User", activationStatus: 1, invitedById: id });
    // An account an admin created that never confirmed its email: live, not an invitation.
    s.portal.addUser({ email: "unconfirmed.one@example.com", type: "User", status: 1, activationStatus: 2, invitedById: id });
    const leaver = await readImpact(owner, { account: await owner.userById(id), action: "remove" });
    expect(leaver.pendingInvitationsSent).toBe(2);
    expect(leaver.account).toMatchObject({ status: "disabled" });
    expect(leaver.account.disabledSince).toMatch(/^2026-02-03T10:00:00/);
    expect(renderImpactBlock(leaver)).toContain("Invitations they sent, never accepted: 2");

    const invited = s.portal.addUser({ email: "never.came@example.com", type: "User", status: 4, activationStatus: 2 });
    const i = await readImpact(owner, { account: await owner.userById(invited.id), action: "remove" });
    expect(i.account.status).toBe("invited");
    expect(renderImpactBlock(i)).toContain("invited, never accepted the invitation");

    const unconfirmed = s.portal.addUser({ email: "never.confirmed@example.com", type: "User", status: 1, activationStatus: 2 });
    const u = await readImpact(owner, { account: await owner.userById(unconfirmed.id), action: "remove" });
    expect(u.account.status).toBe("active");
    expect(renderImpactBlock(u)).not.toContain("invitation");
  });

  describe("degraded reads: unknown (why), the preview still succeeds, nothing is written", () => {
    it("a key without rooms:read", async () => {
      const id = seedLeaver({ rooms: 2 });
      const readonly = clientFor(KEYS.readonly);
      const { impact } = await measured(readonly, { account: await readonly.userById(id), action: "remove" });
      expect(impact.rooms).toEqual({ unknown: "the key lacks rooms:read" });
      expect(impact.ownsOrJoinsRooms).toBe(true);
      expect(impact.warnings).toEqual(["Rooms owned are unknown (the key lacks rooms:read); any go to the API key's owner because no transferTo is set; set transferTo to choose who gets them."]);
      expect(renderImpactBlock(impact)).toContain("Rooms owned: unknown (the key lacks rooms:read)");
      expect(s.writes()).toEqual([]);
    });

    it("402 payment required on files/rooms", async () => {
      const id = seedLeaver({ rooms: 2 });
      s.inject(server.paymentRequired("GET files/rooms"));
      const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove" });
      expect(impact.rooms).toEqual({ unknown: "402 payment required" });
      expect(renderImpactSummary([impact])).toContain("unknown (402 payment required)");
      expect(s.writes()).toEqual([]);
    });

    it("the group route failing with 500 every time", async () => {
      const id = seedLeaver({ rooms: 1 });
      s.inject({ route: "GET group/user/{userid}", kind: "500", times: 100 });
      // A profile that does not carry its groups (no department), so the route is asked.
      const { department: _d, ...trimmed } = (await owner.userById(id)) as Employee & { department?: string };
      const { impact, requests } = await measured(owner, { account: trimmed, action: "remove" });
      expect(impact.managedGroups).toEqual({ unknown: "the portal answered 500" });
      expect(impact.rooms).toMatchObject({ total: 1 });
      // An optional read: retried once at most, then "unknown" (a failing route never makes the preview slow).
      expect(requests.filter((r) => r === "GET group/user/{userid}")).toHaveLength(2);
      expect(s.writes()).toEqual([]);
    });

    it("usedSpace not reported (quota statistics off)", async () => {
      s.portal.options.quotaStatistics = false;
      const id = seedLeaver({ usedSpace: GB });
      const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove" });
      expect(isUnknown(impact.personalData.bytes)).toBe(true);
      expect(renderImpactBlock(impact)).toMatch(/Personal documents: size unknown \(the portal does not report storage use/);
    });
  });

  describe("reassign/necessary is evidence of what it answers only: rooms owned or joined (for a guest, also shared items)", () => {
    /** Answers people/reassign/necessary with `value`, as DocSpace does for a room member (true) or for someone whose only data is personal (false). */
    function necessaryAnswers(value: boolean): void {
      s.inject({ route: "GET people/reassign/necessary", kind: "respond", times: 10, response: { status: 200, body: JSON.stringify({ count: 1, response: value, status: 0, statusCode: 200 }), headers: { "Content-Type": "application/json; charset=utf-8" } } });
    }

    it("true for a member of others' rooms who owns none: 'Owns or joins rooms: yes', and no claim that a removal deletes shared items", async () => {
      const id = seedLeaver({ usedSpace: 4 * 1024 * 1024 });
      necessaryAnswers(true);
      const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
      expect(impact.rooms).toEqual({ total: 0, titles: [] });
      expect(impact.ownsOrJoinsRooms).toBe(true);
      expect(impact.warnings).toEqual([]);
      const block = renderImpactBlock(impact);
      expect(block).toContain("\n  Rooms owned: none\n");
      expect(block).toContain("\n  Owns or joins rooms: yes (reassign/necessary)\n");
      expect(block).not.toMatch(/DocSpace says|Transfer needed|rooms or shared items to move/);
    });

    it("false: never 'nothing to move' (it ignores a non-guest's shared items and their files in others' rooms)", async () => {
      const id = seedLeaver({ usedSpace: 4 * 1024 * 1024 });
      necessaryAnswers(false);
      const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove", successor: await owner.userById(USERS.teamLead), keyAccount: key });
      expect(impact.ownsOrJoinsRooms).toBe(false);
      const block = renderImpactBlock(impact);
      expect(block).toContain("\n  Owns or joins rooms: no (reassign/necessary)\n");
      expect(block).not.toMatch(/nothing to move|Transfer needed/);
      // The shared items still move to the successor, whatever reassign/necessary says.
      expect(block).toContain("only the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of Tess Lead");
    });

    it("the warnings are the same whatever it answers: rooms unknown (402) warn that any go to the key's owner, not 'Owns rooms'", async () => {
      const warnings: string[][] = [];
      for (const answer of [true, false]) {
        const id = seedLeaver({ rooms: 2 });
        s.clearFaults();
        s.inject(server.paymentRequired("GET files/rooms"));
        necessaryAnswers(answer);
        const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
        expect(impact.ownsOrJoinsRooms).toBe(answer);
        warnings.push(impact.warnings);
      }
      expect(warnings[0]).toEqual(["Rooms owned are unknown (402 payment required); any go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them."]);
      expect(warnings[1]).toEqual(warnings[0]);
    });

    it("asked for a guest, it also counts shared items: the line says so", async () => {
      const g = s.portal.addUser({ email: "gus.guest@example.com", type: "Guest", status: 2 });
      const { impact } = await measured(owner, { account: await owner.userById(g.id), action: "remove", keyAccount: key });
      expect(impact.account.kind).toBe("Guest");
      expect(renderImpactBlock(impact)).toContain("\n  Owns or joins rooms, or shares items: no (reassign/necessary)\n");
    });
  });

  describe("a portal before DocSpace 3.7 ignores subjectOwnerId and lists every room the key's account sees", () => {
    /**
     * Makes the next `pages` GET files/rooms answer as such a portal would: the simulator's own
     * answer without subjectOwnerId (every room the owner key sees), page by page.
     */
    async function answerAsBefore37(pages: number): Promise<number> {
      const bodies: string[] = [];
      let listed = 0;
      for (let k = 0; k < pages; k++) {
        const res = await request(`${s.url}/api/2.0/files/rooms?searchArea=Any&startIndex=${k * 100}&count=100`, { headers: { authorization: `Bearer ${KEYS.owner}` } });
        expect(res.statusCode).toBe(200);
        const body = await res.body.text();
        listed = (JSON.parse(body) as { response: { total: number } }).response.total;
        bodies.push(body);
      }
      for (const body of bodies) s.inject({ route: "GET files/rooms", kind: "respond", times: 1, response: { status: 200, body, headers: { "Content-Type": "application/json; charset=utf-8" } } });
      return listed;
    }

    it("counts only the rooms whose createdBy is the person, and says the count came from createdBy", async () => {
      const id = seedLeaver({ rooms: 2, usedSpace: GB });
      const listed = await answerAsBefore37(1);
      expect(listed).toBeGreaterThan(2); // the seed's rooms of other people are listed too
      const { impact, requests } = await measured(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
      expect(requests.filter((r) => r === "GET files/rooms")).toHaveLength(1);
      expect(impact.rooms).toEqual({ total: 2, titles: ["Project 1", "Project 2"], countedFromCreatedBy: { read: listed, listed } });
      expect(impact.warnings).toEqual(["Owns 2 rooms (Project 1, Project 2), which go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them."]);
      const block = renderImpactBlock(impact);
      expect(block).toContain(
        "\n  Rooms owned: 2 (Project 1, Project 2) → owned afterwards by Olivia Owner <olivia.owner@example.com> (counted from createdBy: this portal ignores subjectOwnerId, as DocSpace before 3.7 does)\n",
      );
      expect(renderImpactSummary([impact])).toContain("| remove | 2 (by createdBy) → Olivia Owner |");
      expect(impactAsOutput(impact)).toMatchObject({ rooms: { total: 2, countedFromCreatedBy: { read: listed, listed } } });
      expect(s.writes()).toEqual([]);
    });

    it("someone who owns no room: none, not every room the portal lists", async () => {
      const id = seedLeaver();
      await answerAsBefore37(1);
      const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
      expect(impact.rooms).toMatchObject({ total: 0, titles: [] });
      expect(impact.warnings).toEqual([]);
      expect(renderImpactBlock(impact)).toContain("\n  Rooms owned: none (counted from createdBy: this portal ignores subjectOwnerId, as DocSpace before 3.7 does)\n");
    });

    it("more rooms listed than it reads (5 pages of 100): the count is a lower bound and says how many were read", async () => {
      const id = seedLeaver({ rooms: 1 });
      for (let k = 0; k < 520; k++) s.portal.addRoom({ title: `Other ${k}`, ownerId: USERS.john });
      const listed = await answerAsBefore37(5);
      const { impact, requests } = await measured(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
      expect(requests.filter((r) => r === "GET files/rooms")).toHaveLength(5);
      expect(impact.rooms).toEqual({ total: 1, titles: ["Project 1"], atLeast: true, countedFromCreatedBy: { read: 500, listed } });
      expect(impact.warnings[0]).toBe("Owns at least 1 room (Project 1), which go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them.");
      expect(renderImpactBlock(impact)).toContain(`Rooms owned: at least 1 (Project 1) → owned afterwards by Olivia Owner <olivia.owner@example.com> (counted from createdBy: this portal ignores subjectOwnerId, as DocSpace before 3.7 does; 500 of ${listed} rooms read)`);
      expect(renderImpactSummary([impact])).toContain("| at least 1 (by createdBy) → Olivia Owner |");
    });

    it("none found among the rooms read, more listed: not 'none' but unknown, with the warning that any go to the key's owner", async () => {
      const id = seedLeaver();
      for (let k = 0; k < 520; k++) s.portal.addRoom({ title: `Other ${k}`, ownerId: USERS.john });
      const listed = await answerAsBefore37(5);
      const { impact } = await measured(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
      expect(impact.rooms).toEqual({ total: 0, titles: [], atLeast: true, countedFromCreatedBy: { read: 500, listed } });
      expect(impact.warnings).toEqual([`Rooms owned are unknown (none of the 500 rooms read is theirs, of ${listed} listed); any go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them.`]);
      expect(renderImpactBlock(impact)).toContain(
        `\n  Rooms owned: unknown, none among the rooms read; any go to Olivia Owner <olivia.owner@example.com> (counted from createdBy: this portal ignores subjectOwnerId, as DocSpace before 3.7 does; 500 of ${listed} rooms read)\n`,
      );
      expect(renderImpactSummary([impact])).toContain("| unknown (none among the 500 read) → Olivia Owner |");
    });

    it("a portal that applies the filter: every page is read to check createdBy, the portal's total is the count", async () => {
      const id = seedLeaver({ rooms: 130 });
      const { impact, requests } = await measured(owner, { account: await owner.userById(id), action: "remove", keyAccount: key });
      expect(requests.filter((r) => r === "GET files/rooms")).toHaveLength(2);
      expect(impact.rooms).toEqual({ total: 130, titles: ["Project 1", "Project 2", "Project 3", "Project 4", "Project 5"] });
    });
  });
});
