/**
 * What an offboarding step would do to one person's data, read from the portal before anyone
 * approves it. Only reads (docspace/impact-reads.ts and the client's GETs); every optional read
 * that fails becomes `{ unknown: why }` and the preview goes on.
 */
import { z } from "zod";
import type { DocSpaceClient } from "../docspace/client";
import { boundLine, isDocSpaceError } from "../docspace/errors";
import { managedBy, ownedRooms, pendingInvitationsSentBy, userGroups, groupsOfProfile, type OwnedRooms } from "../docspace/impact-reads";
import { EmployeeStatus, employeeType, isDisabled, type Employee, type EmployeeType } from "../docspace/schemas";

import type { Action } from "../entry-rules";

/**
 * The step, in the file's vocabulary. What DocSpace does for each (common/ASC.Data.Reassigns):
 * - remove (people/remove/start, RemoveProgressItem): the items the person shared move to the API
 *   key's account, the rest of My documents and its trash is deleted, their rooms and third-party
 *   storage go to the key's account, what they created inside rooms goes to each room's owner,
 *   then the profile is deleted;
 * - remove with transferTo (people/reassign/start with deleteProfile, ReassignProgressItem): the
 *   shared items move to the successor, the rest of the personal data is deleted, everything else
 *   they created (rooms, and folders and files in any room) goes to the successor, then the profile;
 * - transfer (the same without deleteProfile): as above, but the personal folder stays as it is;
 * - disable: nothing moves.
 */
export type ImpactAction = Action;

export interface Unknown {
  unknown: string;
}
/** A fact read from the portal, or why it could not be. */
export type Fact<T> = T | Unknown;

export function isUnknown<T>(fact: Fact<T>): fact is Unknown {
  return typeof fact === "object" && fact !== null && !Array.isArray(fact) && typeof (fact as Partial<Unknown>).unknown === "string";
}

export interface PersonRef {
  id?: string;
  /** A display name, or a description such as "the API key's owner" when nobody is known. */
  name: string;
  email?: string;
}

export type SignIn = "standard" | "SSO" | "LDAP";

/**
 * What becomes of the personal folder ("My documents" and its trash). DocSpace's
 * MoveSharedEntriesAsync first moves every item in My documents (at any depth, not the trash) that
 * is shared with a user, a group or by a link into a new folder "Documents of user {first name}
 * {last name}" it creates in the recipient's My documents, and makes the recipient its owner:
 * - shared-moved-rest-deleted: then the rest of My documents and its trash is deleted, with the
 *   profile (remove: the recipient is the API key's account; remove with transferTo: the successor);
 * - shared-moved-rest-kept: the rest stays with the disabled profile (transfer);
 * - untouched: nothing changes (disable).
 */
export type PersonalDataFate = "shared-moved-rest-deleted" | "shared-moved-rest-kept" | "untouched";

/**
 * The rooms the person owns, active and archived (see ownedRooms in docspace/impact-reads.ts).
 * `countedFromCreatedBy` is set when the portal ignored subjectOwnerId (DocSpace before 3.7) and
 * listed rooms of other owners, so the rooms were told apart by their `createdBy`: `read` rooms
 * read of the `listed` the portal counts (every room the key's account sees). `atLeast` marks a
 * total that is a lower bound.
 */
export interface RoomsOwned {
  total: number;
  titles: string[];
  atLeast?: true;
  countedFromCreatedBy?: { read: number; listed?: number };
}

export interface ImpactPlan {
  /** The account, as already looked up by the caller (an EmployeeFullDto). */
  account: Employee;
  action: ImpactAction;
  /** Required for the transfers (transferTo): who receives the rooms and shared items. */
  successor?: Employee;
  /** The API key's own account: who receives the rooms and the shared items on a removal without transferTo. */
  keyAccount?: Employee;
}

export interface Impact {
  account: {
    id: string;
    name: string;
    email?: string;
    kind: EmployeeType;
    isOwner: boolean;
    signIn: SignIn;
    status: "active" | "disabled" | "invited";
    /** When the account was disabled (DocSpace's `terminated`), as DocSpace wrote it. */
    disabledSince?: string;
    registeredAt?: string;
  };
  action: ImpactAction;
  /** Rooms the person owns, active and archived: how many, and a few titles. */
  rooms: Fact<RoomsOwned>;
  /** Who owns those rooms afterwards (the person themselves on a disable). */
  roomsGoTo: PersonRef;
  /**
   * `bytes` is the profile's usedSpace: My documents and its trash, the shared items included, so
   * a step that moves the shared items and deletes the rest deletes up to that much.
   */
  personalData: { bytes: Fact<number>; fate: PersonalDataFate };
  /** Who receives the items the person shared: the successor, or the key's account on a removal without transferTo. Absent for a disable. */
  sharedItemsGoTo?: PersonRef;
  /** The successor named by transferTo (a transfer, or a removal with transferTo). */
  successor?: PersonRef;
  /**
   * DocSpace's people/reassign/necessary, which answers only this: does the person own or belong to
   * an active room (asked for a guest: or have shared items)? It leaves out a non-guest's shared
   * items and what they created inside other people's rooms, which a step moves all the same, so it
   * is never read as "nothing to move". Absent for a disable.
   */
  ownsOrJoinsRooms?: Fact<boolean>;
  /** Groups this person manages. */
  managedGroups: Fact<Array<{ id: string; name: string }>>;
  /** People this person invited who never accepted. */
  pendingInvitationsSent: Fact<number>;
  warnings: string[];
}

/** How many room titles an impact keeps. */
export const ROOM_TITLES = 5;

/** Fields of EmployeeFullDto beyond the client's schema; a malformed one reads as absent. */
const profileSchema = z.looseObject({
  userName: z.string().optional().catch(undefined),
  isSSO: z.boolean().optional().catch(undefined),
  isLDAP: z.boolean().optional().catch(undefined),
  usedSpace: z.number().nonnegative().optional().catch(undefined),
  activationStatus: z.number().int().optional().catch(undefined),
  terminated: z.string().optional().catch(undefined),
  registrationDate: z.string().optional().catch(undefined),
});

/** Reads what `plan` would do to the account's data. Never writes; never throws for an optional read. */
export async function readImpact(client: DocSpaceClient, plan: ImpactPlan): Promise<Impact> {
  const person = plan.account;
  const profile = profileSchema.parse(person);
  const kind = employeeType(person);
  const disable = plan.action === "disable";

  // Independent reads, in parallel; each one settles into a Fact.
  const [rooms, ownsOrJoinsRooms, groups, invitations] = await Promise.all([
    optional(async () => roomsOwned(await ownedRooms(client, person.id)), "rooms:read"),
    disable ? Promise.resolve(undefined) : optional(() => client.reassignNecessary(person.id, kind), "accounts:read"),
    optional(async () => (groupsOfProfile(person) ?? (await userGroups(client, person.id))).filter((g) => managedBy(g, { id: person.id, userName: profile.userName })).map((g) => ({ id: g.id, name: g.name })), "accounts:read"),
    optional(() => pendingInvitationsSentBy(client, person.id), "accounts:read"),
  ]);

  const account: Impact["account"] = {
    id: person.id.toLowerCase(),
    name: nameOf(person),
    email: person.email === undefined ? undefined : boundLine(person.email, 254),
    kind,
    isOwner: person.isOwner === true,
    signIn: profile.isSSO ? "SSO" : profile.isLDAP || person.isLDAP ? "LDAP" : "standard",
    status: isDisabled(person) ? "disabled" : (person.status & EmployeeStatus.Pending) !== 0 ? "invited" : "active",
    disabledSince: profile.terminated === undefined ? undefined : boundLine(profile.terminated, 40),
    registeredAt: profile.registrationDate === undefined ? undefined : boundLine(profile.registrationDate, 40),
  };

  const successor: PersonRef = plan.successor ? refOf(plan.successor) : { name: "the successor" };
  const keyOwner: PersonRef = plan.keyAccount ? refOf(plan.keyAccount) : { name: "the API key's owner" };
  const toSuccessor = plan.action === "transfer" || (plan.action === "remove" && plan.successor !== undefined);
  // Rooms and shared items go the same way: to the successor, or on a removal to the key's account.
  const roomsGoTo = disable ? refOf(person) : toSuccessor ? successor : keyOwner;
  const fate: PersonalDataFate = disable ? "untouched" : plan.action === "transfer" ? "shared-moved-rest-kept" : "shared-moved-rest-deleted";
  const bytes: Fact<number> =
    profile.usedSpace !== undefined ? profile.usedSpace : { unknown: "the portal does not report storage use to this key (an admin key and quota statistics are needed)" };

  const impact: Impact = {
    account,
    action: plan.action,
    rooms,
    roomsGoTo,
    personalData: { bytes, fate },
    sharedItemsGoTo: disable ? undefined : roomsGoTo,
    successor: toSuccessor ? successor : undefined,
    ownsOrJoinsRooms,
    managedGroups: groups,
    pendingInvitationsSent: invitations,
    warnings: [],
  };
  impact.warnings = warningsFor(impact, keyOwner);
  return impact;
}

/** Why a count of none is not "none": no room read was theirs, but not every room listed was read. */
function notAllRead(rooms: RoomsOwned): string {
  const c = rooms.countedFromCreatedBy;
  return c === undefined ? "not every room the portal listed was read" : `none of the ${c.read} rooms read is theirs, of ${c.listed ?? "more"} listed`;
}

/** The rooms as the impact keeps them: the count, a few titles, and how far the count goes. */
function roomsOwned(found: OwnedRooms): RoomsOwned {
  const rooms: RoomsOwned = { total: found.total, titles: found.rooms.slice(0, ROOM_TITLES).map((r) => r.title) };
  if (found.atLeast) rooms.atLeast = true;
  if (found.countedBy === "createdBy") rooms.countedFromCreatedBy = found.listed === undefined ? { read: found.read } : { read: found.read, listed: found.listed };
  return rooms;
}

function warningsFor(impact: Impact, keyOwner: PersonRef): string[] {
  const w: string[] = [];
  const { rooms, action } = impact;
  // Only the rooms read say what the person owns: reassign/necessary (ownsOrJoinsRooms) is also
  // true for a room member, and false says nothing about their shared items.
  if (action === "remove" && impact.successor === undefined) {
    const why = isUnknown(rooms) ? rooms.unknown : rooms.total === 0 && rooms.atLeast ? notAllRead(rooms) : undefined;
    if (why !== undefined) {
      w.push(`Rooms owned are unknown (${why}); any go to ${keyOwner.name} because no transferTo is set; set transferTo to choose who gets them.`);
    } else if (!isUnknown(rooms) && rooms.total > 0) {
      const named = `${rooms.atLeast ? "at least " : ""}${rooms.total} room${rooms.total === 1 ? "" : "s"} (${listTitles(rooms.titles, rooms.total)})`;
      w.push(`Owns ${named}, which go to ${keyOwner.name} because no transferTo is set; set transferTo to choose who gets them.`);
    }
  }
  const profileGoes = action === "remove";
  if (profileGoes && impact.account.signIn !== "standard") {
    w.push(`Signs in with ${impact.account.signIn}: the identity provider may create the account again at its next sign-in; remove or block it there too.`);
  }
  if (profileGoes && !isUnknown(impact.managedGroups) && impact.managedGroups.length > 0) {
    w.push(`Manages ${impact.managedGroups.length === 1 ? "the group" : "the groups"} ${listTitles(impact.managedGroups.map((g) => g.name), impact.managedGroups.length)}, which will have no manager.`);
  }
  return w;
}

/** Up to a handful of titles, with "and N more" for the rest. */
export function listTitles(titles: string[], total: number): string {
  const shown = titles.slice(0, ROOM_TITLES);
  const rest = total - shown.length;
  return shown.join(", ") + (rest > 0 ? `${shown.length > 0 ? " and " : ""}${rest} more` : "");
}

/** The first of display name, first and last name, email and id that is not blank once made one line. */
function nameOf(e: Employee): string {
  const candidates = [e.displayName, [e.firstName, e.lastName].filter((x) => x !== undefined).join(" "), e.email, e.id];
  for (const c of candidates) {
    const line = c === undefined ? "" : boundLine(c, 120);
    if (line !== "") return line;
  }
  return e.id;
}

function refOf(e: Employee): PersonRef {
  return { id: e.id.toLowerCase(), name: nameOf(e), email: e.email === undefined ? undefined : boundLine(e.email, 254) };
}

/** Runs an optional read; any failure becomes the reason it is unknown. */
async function optional<T>(read: () => Promise<T>, scope: string): Promise<Fact<T>> {
  try {
    return await read();
  } catch (e) {
    return { unknown: whyUnknown(e, scope) };
  }
}

/** A short, bounded reason for a failed optional read. */
export function whyUnknown(e: unknown, scope: string): string {
  if (!isDocSpaceError(e)) return boundLine(`an internal error: ${e instanceof Error ? e.message : String(e)}`, 160);
  const status = e.httpStatus;
  switch (e.kind) {
    case "forbidden":
      // The auth pipeline's scope refusal has an empty body; a controller's has DocSpace's envelope.
      return e.envelope ? "the key's account may not read this (403)" : `the key lacks ${scope}`;
    case "authentication":
      return "the portal refused the key (401)";
    case "not-found":
      return "the portal has no such route (404)";
    case "rate-limited":
      return "the portal kept throttling this key (429)";
    case "server":
      return `the portal answered ${status ?? "5xx"}`;
    case "timeout":
      return "the portal did not answer in time";
    case "network":
      return "the portal could not be reached";
    case "deadline":
      return "the step's time ran out";
    case "unexpected-response":
      return status !== undefined && status >= 300 ? `the portal answered ${status}` : "the portal's answer was not understood";
    case "precondition":
      if (status === 402) return "402 payment required";
      return `the portal answered ${status ?? "an error"}`;
    case "validation":
      return "the portal rejected the request (400)";
    case "configuration":
      return boundLine(e.message, 160);
  }
}
