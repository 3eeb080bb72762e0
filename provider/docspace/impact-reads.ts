/**
 * Read-only DocSpace calls behind the removal impact preview (rooms owned, groups, pending invitations; usedSpace comes with
 * the profile and reassign/necessary from the client). Every one is a GET
 * through DocSpaceClient.read (idempotent retries); nothing here can send a write.
 */
import { z } from "zod";
import { checkGuid, type DocSpaceClient } from "./client";
import { boundLine, DocSpaceError } from "./errors";
import { EmployeeStatus, guidSchema } from "./schemas";

/** DocSpace's own page bound for files/rooms and people/filter. */
export const MAX_PAGE = 100;

/**
 * A room as FolderDto carries it in `folders`; the id is a number, or a string for third-party
 * storage. `createdBy` is FileEntryDto's EmployeeDto: the room's owner (ChangeOwner rewrites it),
 * sent to any signed-in caller; one that is missing, null or unreadable reads as "owner unknown".
 */
const roomSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  title: z.string(),
  roomType: z.number().int().optional().catch(undefined),
  createdBy: z.looseObject({ id: guidSchema }).nullish().catch(undefined),
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

export interface ListedRoom {
  id: string;
  title: string;
  roomType?: number;
  /** The room's owner as `createdBy` names it (lower case); undefined when the portal did not say. */
  ownerId?: string;
}

export interface RoomPage {
  /** Every room the portal listed on this page, whoever owns it. */
  rooms: ListedRoom[];
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
 * archived, as the portal lists them. `subjectOwnerId` exists from DocSpace 3.7 only: an older
 * server ignores it and lists every room the caller sees, so each room keeps its `createdBy` for
 * the caller to check (ownedRooms does). No sortBy: DocSpace stores a given sort order as the
 * caller's default, a side effect.
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
  const rooms = (response.folders ?? []).map((r) => ({
    id: boundLine(String(r.id), 64),
    title: boundLine(r.title, 120),
    roomType: r.roomType,
    ownerId: r.createdBy?.id.toLowerCase(),
  }));
  return { rooms, total: response.total };
}

/** How many pages of rooms ownedRooms reads at most for one person (MAX_PAGE rooms each). */
export const MAX_ROOM_PAGES = 5;

/**
 * The rooms a user owns, told apart by `createdBy`. `countedBy` says how:
 * - "subjectOwnerId": no listed room named another owner, so the portal applied the filter (DocSpace 3.7 and later)
 *   and `total` is its own count; a room without `createdBy` is taken on the filter's word.
 * - "createdBy": the portal listed rooms of other owners, so it ignored the filter (before 3.7) and its total counts
 *   every room the caller sees. Only rooms whose `createdBy` is the user count; `total` is their number among the
 *   `read` rooms, a lower bound (`atLeast`) when not every listed room was read or some named no owner.
 */
export interface OwnedRooms {
  /** The user's rooms among those read, in the portal's order. */
  rooms: Array<Omit<ListedRoom, "ownerId">>;
  total: number;
  countedBy: "subjectOwnerId" | "createdBy";
  /** `total` is a lower bound. */
  atLeast: boolean;
  /** Rooms read, and the portal's count of all it would list (for "createdBy": every room the caller sees). */
  read: number;
  listed?: number;
}

/**
 * Pages through GET files/rooms for the user (MAX_PAGE rooms a page, `maxPages` pages at most) and
 * keeps the rooms whose `createdBy` is the user (see OwnedRooms). One request when the user owns
 * up to MAX_PAGE rooms and the portal applies the filter.
 */
export async function ownedRooms(client: DocSpaceClient, userId: string, opts: { maxPages?: number } = {}): Promise<OwnedRooms> {
  const id = checkGuid(userId, "user id");
  const maxPages = Math.max(1, opts.maxPages ?? MAX_ROOM_PAGES);
  /** Rooms whose createdBy is the user; and those plus the rooms that name no owner, in the portal's order. */
  const named: Array<Omit<ListedRoom, "ownerId">> = [];
  const namedOrUnnamed: Array<Omit<ListedRoom, "ownerId">> = [];
  let read = 0;
  let others = 0;
  let listed: number | undefined;
  let complete = false;
  for (let pages = 0; pages < maxPages && !complete; pages++) {
    const page = await listOwnedRooms(client, id, { startIndex: read, count: MAX_PAGE });
    read += page.rooms.length;
    listed = page.total;
    for (const { ownerId, ...room } of page.rooms) {
      if (ownerId !== undefined && ownerId !== id) {
        others++;
        continue;
      }
      namedOrUnnamed.push(room);
      if (ownerId === id) named.push(room);
    }
    complete = page.rooms.length < MAX_PAGE || (page.total !== undefined && read >= page.total);
  }
  if (others === 0) {
    // The filter held: every room listed is the user's, and the portal's total counts them all,
    // read or not. Without that total, the rooms read are all that is known.
    const total = listed !== undefined ? Math.max(listed, read) : read;
    return { rooms: namedOrUnnamed, total, countedBy: "subjectOwnerId", atLeast: listed === undefined && !complete, read, listed };
  }
  // The filter was ignored: only a room that names the user counts; one that names nobody may be anyone's.
  return { rooms: named, total: named.length, countedBy: "createdBy", atLeast: !complete || namedOrUnnamed.length > named.length, read, listed };
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

/**
 * EmployeeActivationStatus.Pending: the email was never confirmed. An invitation has it, but so has
 * a live account an admin created or imported; only status 4 (Pending) is an invitation.
 */
export const ACTIVATION_PENDING = 2;

/**
 * GET people/filter?inviterId=&employeeStatus=4&count=1: how many people this user invited who
 * never accepted (status Pending; the envelope's total; one entry is fetched).
 */
export async function pendingInvitationsSentBy(client: DocSpaceClient, inviterId: string): Promise<number> {
  const id = checkGuid(inviterId, "user id");
  const { response, total } = await client.read(anyListSchema, {
    path: "people/filter",
    query: { inviterId: id, employeeStatus: EmployeeStatus.Pending, startIndex: 0, count: 1 },
    what: `count the pending invitations sent by the user ${id}`,
    retry: "optional",
  });
  if (total !== undefined) return total;
  if (response.length === 0) return 0;
  throw new DocSpaceError("unexpected-response", `DocSpace listed pending invitations sent by the user ${id} without their total.`);
}
