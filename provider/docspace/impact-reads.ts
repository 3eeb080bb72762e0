/**
 * Read-only DocSpace calls behind the removal impact preview (rooms owned, groups, usedSpace, reassign/necessary). Every one is a GET
 * through DocSpaceClient.read (idempotent retries); nothing here can send a write.
 */
import { z } from "zod";
import { checkGuid, type DocSpaceClient } from "./client";
import { boundLine, DocSpaceError } from "./errors";
import { guidSchema } from "./schemas";

/** DocSpace's own page bound for files/rooms and people/filter. */
export const MAX_PAGE = 100;

/** A room as FolderDto carries it in `folders`; the id is a number, or a string for third-party storage. */
const roomSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  title: z.string(),
  roomType: z.number().int().optional(),
  /** The room's owner (ChangeOwner rewrites it). */
  createdBy: z.looseObject({ id: guidSchema }).optional(),
});

/** FolderContentDto, as far as used: the rooms and the count of all matches before paging. */
const folderContentSchema = z.looseObject({
  folders: z.array(roomSchema).nullish(),
  total: z.number().int().nonnegative().optional(),
});

/**
 * GroupSummaryDto (common/ASC.Api.Core/Model/GroupSummaryDto.cs): `manager` is the manager's
 * userName. GroupDto (group/{id}) carries an EmployeeDto there instead; both are accepted.
 */
const groupSchema = z.looseObject({
  id: guidSchema,
  name: z.string(),
  manager: z.union([z.string(), z.looseObject({ id: guidSchema, userName: z.string().optional() })]).nullish(),
  isSystem: z.boolean().nullish(),
});
const groupListSchema = z.array(groupSchema);

/** people/filter: only the envelope's `total` is used; the page itself is checked to be a list. */
const anyListSchema = z.array(z.unknown());

export interface OwnedRoom {
  id: string;
  title: string;
  roomType?: number;
}

export interface RoomPage {
  rooms: OwnedRoom[];
  /** All matching rooms before paging; undefined when the portal did not say. */
  total?: number;
}

export interface UserGroup {
  id: string;
  name: string;
  /** The manager as the portal names them: an id (GroupDto) or a userName (GroupSummaryDto). */
  manager?: { id: string } | { userName: string };
}

/**
 * GET files/rooms?subjectOwnerId=&searchArea=Any: one page of the rooms the user owns, active and
 * archived. No sortBy: DocSpace stores a given sort order as the caller's default, a side effect.
 */
export async function listOwnedRooms(client: DocSpaceClient, userId: string, page: { startIndex?: number; count?: number } = {}): Promise<RoomPage> {
  const id = checkGuid(userId, "user id");
  const count = page.count ?? MAX_PAGE;
  if (!Number.isInteger(count) || count < 1 || count > MAX_PAGE) {
    throw new DocSpaceError("configuration", `A page of rooms holds 1 to ${MAX_PAGE} entries (asked for ${count}).`);
  }
  const startIndex = page.startIndex ?? 0;
  const { response } = await client.read(folderContentSchema, {
    path: "files/rooms",
    query: { subjectOwnerId: id, searchArea: "Any", startIndex, count },
    what: `list the rooms owned by the user ${id}`,
    retry: "optional",
  });
  const folders = response.folders ?? [];
  // A portal that ignored the owner filter would list other people's rooms as this person's.
  if (folders.some((r) => r.createdBy !== undefined && r.createdBy.id.toLowerCase() !== id)) {
    throw new DocSpaceError("unexpected-response", `DocSpace listed rooms of other owners when asked for the rooms owned by the user ${id}; the portal may not support subjectOwnerId.`);
  }
  const rooms = folders.map((r) => ({ id: boundLine(String(r.id), 64), title: boundLine(r.title, 120), roomType: r.roomType }));
  return { rooms, total: response.total };
}

/**
 * The rooms a user owns, page by page, up to `maxRooms` of them. `total` counts them all; without
 * the portal's total it is the number read, and then only when every page was read.
 */
export async function ownedRooms(client: DocSpaceClient, userId: string, opts: { maxRooms?: number } = {}): Promise<RoomPage> {
  const max = Math.max(1, opts.maxRooms ?? MAX_PAGE);
  const rooms: OwnedRoom[] = [];
  for (;;) {
    const count = Math.min(MAX_PAGE, max - rooms.length);
    const page = await listOwnedRooms(client, userId, { startIndex: rooms.length, count });
    rooms.push(...page.rooms);
    const done = page.rooms.length < count || (page.total !== undefined && rooms.length >= page.total);
    if (page.total !== undefined && (done || rooms.length >= max)) return { rooms, total: Math.max(page.total, rooms.length) };
    if (done) return { rooms, total: rooms.length };
    if (rooms.length >= max) return { rooms };
  }
}

/** GET group/user/{userid}: the groups the user belongs to (not paged). */
export async function userGroups(client: DocSpaceClient, userId: string): Promise<UserGroup[]> {
  const id = checkGuid(userId, "user id");
  const { response } = await client.read(groupListSchema, { path: `group/user/${id}`, what: `list the groups of the user ${id}`, retry: "optional" });
  return groupsFrom(response);
}

/**
 * The groups an EmployeeFullDto carries, without a request: DocSpace fills `department` (empty
 * when there are no groups) and `groups` (left out when empty) together, unless the caller trimmed
 * the fields. Undefined when the profile does not say (no `department`, or groups it cannot read).
 */
export function groupsOfProfile(profile: Readonly<Record<string, unknown>>): UserGroup[] | undefined {
  if (typeof profile.department !== "string") return undefined;
  if (profile.groups === undefined || profile.groups === null) return [];
  const parsed = groupListSchema.safeParse(profile.groups);
  return parsed.success ? groupsFrom(parsed.data) : undefined;
}

function groupsFrom(response: z.infer<typeof groupListSchema>): UserGroup[] {
  return response.map((g) => ({
    id: g.id.toLowerCase(),
    name: boundLine(g.name, 120),
    manager: g.manager === undefined || g.manager === null || g.manager === "" ? undefined : typeof g.manager === "string" ? { userName: g.manager } : { id: g.manager.id.toLowerCase() },
  }));
}

/** Whether `group` names this person as its manager, by id or by userName. */
export function managedBy(group: UserGroup, person: { id: string; userName?: string }): boolean {
  const m = group.manager;
  if (m === undefined) return false;
  if ("id" in m) return m.id === person.id.toLowerCase();
  return person.userName !== undefined && person.userName !== "" && m.userName.toLowerCase() === person.userName.toLowerCase();
}

/** EmployeeActivationStatus.Pending: invited, never accepted (the report reads it too). */
export const ACTIVATION_PENDING = 2;

/**
 * GET people/filter?inviterId=&activationStatus=2&count=1: how many people this user invited who
 * never accepted (the envelope's total; one entry is fetched).
 */
export async function pendingInvitationsSentBy(client: DocSpaceClient, inviterId: string): Promise<number> {
  const id = checkGuid(inviterId, "user id");
  const { response, total } = await client.read(anyListSchema, {
    path: "people/filter",
    query: { inviterId: id, activationStatus: ACTIVATION_PENDING, startIndex: 0, count: 1 },
    what: `count the pending invitations sent by the user ${id}`,
    retry: "optional",
  });
  if (total !== undefined) return total;
  if (response.length === 0) return 0;
  throw new DocSpaceError("unexpected-response", `DocSpace listed pending invitations sent by the user ${id} without their total.`);
}
