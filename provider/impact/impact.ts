/**
 * What an offboarding step would do to one person's data, read from the portal before anyone
 * approves it. Only reads (docspace/impact-reads.ts and the client's GETs); every optional read
 * that fails becomes `{ unknown: why }` and the preview goes on.
 */
import { z } from "zod";
import type { DocSpaceClient } from "../docspace/client";
import { boundLine, isDocSpaceError } from "../docspace/errors";
import { ACTIVATION_PENDING, managedBy, ownedRooms, pendingInvitationsSentBy, userGroups, groupsOfProfile } from "../docspace/impact-reads";
import { EmployeeStatus, employeeType, isDisabled, type Employee, type EmployeeType } from "../docspace/schemas";

import type { Action } from "../entry-rules";

/** The step, in the file's vocabulary; a removal with a successor moves the rooms and shared items to them first. */
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
 * What becomes of the personal folder ("My documents" and its trash):
 * - deleted: all of it (remove);
 * - shared-moved-rest-deleted: items the person shared move to the successor, the rest is deleted with the profile (remove with transferTo);
 * - shared-moved-rest-kept: shared items move, the rest stays with the disabled profile (transfer);
 * - untouched: nothing changes (disable).
 */
export type PersonalDataFate = "deleted" | "shared-moved-rest-deleted" | "shared-moved-rest-kept" | "untouched";

export interface ImpactPlan {
  /** The account, as already looked up by the caller (an EmployeeFullDto). */
  account: Employee;
  action: ImpactAction;
  /** Required for the transfers: who receives the rooms and shared items. */
  successor?: Employee;
  /** The API key's own account: who receives the rooms on a removal. */
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
  rooms: Fact<{ total: number; titles: string[] }>;
  /** Who owns those rooms afterwards (the person themselves on a disable). */
  roomsGoTo: PersonRef;
  personalData: { bytes: Fact<number>; fate: PersonalDataFate };
  /** Who receives the items the person shared (transfers only). */
  sharedItemsGoTo?: PersonRef;
  /** DocSpace's own answer to "would a transfer move anything?"; absent for a disable. */
  transferNeeded?: Fact<boolean>;
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
  const [rooms, transferNeeded, groups, invitations] = await Promise.all([
    optional(async () => {
      const page = await ownedRooms(client, person.id, { maxRooms: ROOM_TITLES });
      return { total: page.total ?? page.rooms.length, titles: page.rooms.slice(0, ROOM_TITLES).map((r) => r.title) };
    }, "rooms:read"),
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
    status: isDisabled(person) ? "disabled" : profile.activationStatus === ACTIVATION_PENDING || (person.status & EmployeeStatus.Pending) !== 0 ? "invited" : "active",
    disabledSince: profile.terminated === undefined ? undefined : boundLine(profile.terminated, 40),
    registeredAt: profile.registrationDate === undefined ? undefined : boundLine(profile.registrationDate, 40),
  };

  const successor: PersonRef = plan.successor ? refOf(plan.successor) : { name: "the successor" };
  const keyOwner: PersonRef = plan.keyAccount ? refOf(plan.keyAccount) : { name: "the API key's owner" };
  const toSuccessor = plan.action === "transfer" || (plan.action === "remove" && plan.successor !== undefined);
  const roomsGoTo = disable ? refOf(person) : toSuccessor ? successor : keyOwner;
  const fate: PersonalDataFate = plan.action === "disable" ? "untouched" : plan.action === "transfer" ? "shared-moved-rest-kept" : toSuccessor ? "shared-moved-rest-deleted" : "deleted";
  const bytes: Fact<number> =
    profile.usedSpace !== undefined ? profile.usedSpace : { unknown: "the portal does not report storage use to this key (an admin key and quota statistics are needed)" };

  const impact: Impact = {
    account,
    action: plan.action,
    rooms,
    roomsGoTo,
    personalData: { bytes, fate },
    sharedItemsGoTo: toSuccessor ? successor : undefined,
    transferNeeded,
    managedGroups: groups,
    pendingInvitationsSent: invitations,
    warnings: [],
  };
  impact.warnings = warningsFor(impact, keyOwner);
  return impact;
}

function warningsFor(impact: Impact, keyOwner: PersonRef): string[] {
  const w: string[] = [];
  const { rooms, action } = impact;
  const ownsRooms = (!isUnknown(rooms) && rooms.total > 0) || impact.transferNeeded === true;
  if (action === "remove" && impact.sharedItemsGoTo === undefined && ownsRooms) {
    if (!isUnknown(rooms) && rooms.total === 0) {
      w.push("DocSpace says a transfer would move data (items the person shared), which a removal deletes; set transferTo to keep it.");
    } else {
      const named = isUnknown(rooms) ? `rooms (which ones is unknown: ${rooms.unknown})` : `${rooms.total} room${rooms.total === 1 ? "" : "s"} (${listTitles(rooms.titles, rooms.total)})`;
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
