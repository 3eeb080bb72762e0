/**
 * The gate's words: each reason code (decide.ts) and each refusal around it, as the sentence people
 * read in a preview or a failed `pulumi up`. Nothing here decides; every sentence is written once.
 */
import { employeeType, type Employee } from "../../docspace/schemas";
import { describeAccount, type AccountRef } from "../../docspace/account-reads";
import type { Action } from "../../entry-rules";
import type { RemovalStatus } from "../user-removal/record";

/** Why the gate refuses (or finds nothing), with what the words need. reasons.ts renders each. */
export type Reason =
  | { code: "not-due"; account: AccountRef; removeAfter: string; today: string }
  | { code: "other-portal"; storedPortal: string; origin: string }
  | { code: "key-cannot-read-itself" }
  | { code: "key-not-admin"; caller: Employee }
  | { code: "key-cannot-write"; scopes: string[] }
  | { code: "not-found-without-envelope"; origin: string; userId: string; message: string }
  | { code: "absent"; origin: string; account: AccountRef }
  | { code: "answered-another"; asked: AccountRef; answered: Employee }
  | { code: "record-names-another"; asked: AccountRef; answered: Employee; recordedEmail: string }
  | { code: "owner"; target: Employee; action: Action }
  | { code: "self"; target: Employee; action: Action }
  | { code: "admin-not-allowed"; target: Employee; action: Action }
  | { code: "admin-needs-owner-key"; target: Employee; caller: Employee; action: Action }
  | { code: "people-admin-needs-owner-key"; target: Employee; caller: Employee }
  | { code: "ldap-active"; target: Employee }
  | { code: "successor-missing"; named: string; origin: string }
  | { code: "successor-answered-another"; named: string; asked: AccountRef; answered: Employee }
  | { code: "successor-is-target"; target: Employee }
  | { code: "successor-inactive"; successor: Employee }
  | { code: "successor-not-admin"; successor: Employee }
  | { code: "both-tasks-running"; target: Employee }
  | { code: "removal-running"; target: Employee; percentage: number; transferTo?: string }
  | { code: "transfer-running"; target: Employee; percentage: number; ownRecordRedirected: boolean; action: Action }
  | { code: "finished-transfer-unattributed"; target: Employee; recordStatus: RemovalStatus | "new"; successor?: Employee }
  | { code: "finished-removal-account-exists"; target: Employee }
  | { code: "finished-removal-not-transfer"; target: Employee; transferTo?: string };

export type ReasonCode = Reason["code"];

const named = (ref: AccountRef): string => ref.email ?? ref.userId ?? "";

/** How a step's verb reads: for "an account cannot ... itself" and "Removing an admin ...". */
function verbs(action: Action): [verb: string, verbing: string] {
  return action === "disable" ? ["disable", "Disabling"] : action === "transfer" ? ["transfer the data of", "Transferring the data of"] : ["remove", "Removing"];
}

/** How an answer differs from the person asked for (the answer is not them). */
export function mismatch(ref: AccountRef, user: Employee): string {
  return ref.userId !== undefined ? `DocSpace answered with another account: ${describeAccount(user)} (id ${user.id})` : `DocSpace answered with another person: ${describeAccount(user)} (email ${user.email ?? "none"})`;
}

/** An answer about another account than the one asked for proves nothing about it. */
export function wrongAnswer(ref: { userId: string }, user: Employee): string {
  return `Asked DocSpace for the account ${ref.userId} and ${mismatch(ref, user)}; that proves nothing about ${ref.userId}. Check docspace:url.`;
}

/** A 404 without DocSpace's envelope. */
export function notProof(origin: string, userId: string, message: string): string {
  return (
    `${origin} answered 404 for the account ${userId} without DocSpace's error envelope (${message.slice(0, 120)}). ` +
    `That is not DocSpace saying the account is gone (a proxy, a wrong address, another service?), so nothing is recorded as removed. Check docspace:url.`
  );
}

/** A record made against one portal, read with docspace:url pointing at another; undefined when it is the same portal. */
export function otherPortal(origin: string, storedPortal: string): string | undefined {
  if (!storedPortal || storedPortal === origin) return undefined;
  return (
    `This removal was recorded against ${storedPortal}, but docspace:url is now ${origin}; that portal's answers say nothing about this record. ` +
    `Set docspace:url back to ${storedPortal}. If the portal really moved, check the account there by hand, then drop the record with \`pulumi state delete\`.`
  );
}

/** The record's error when a task reports Completed twice and the profile is still there. */
export const FINISHED_WITHOUT_PROOF = "DocSpace reports the task finished, but the account still exists.";

/** The sentence for one reason. */
export function sentence(r: Reason): string {
  switch (r.code) {
    case "not-due":
      return `${named(r.account)} is not due for removal until ${r.removeAfter} (today is ${r.today}, UTC); nothing is removed before that day.`;
    case "other-portal":
      return otherPortal(r.origin, r.storedPortal) ?? "";
    case "key-cannot-read-itself":
      return (
        `The API key may not read its own account (DocSpace refused GET people/@self), so nothing can check that it belongs to the portal owner or a DocSpace admin; refusing to remove anyone with it. ` +
        `Use a key with all permissions, or add accounts.self:read to its permissions.`
      );
    case "key-not-admin":
      return `The API key belongs to ${describeAccount(r.caller)}, a ${employeeType(r.caller)}; only the portal owner and DocSpace admins can remove accounts. Use a key created by the owner or a DocSpace admin.`;
    case "key-cannot-write":
      return `The API key's permissions (${r.scopes.slice(0, 10).join(", ")}) do not include accounts:write, so it cannot remove anyone. Use a key with all permissions or with accounts:write.`;
    case "not-found-without-envelope":
      return notProof(r.origin, r.userId, r.message);
    case "absent":
      return r.account.email !== undefined ? `No DocSpace account has the email ${r.account.email} at ${r.origin}.` : `No DocSpace account has the id ${r.account.userId} at ${r.origin}.`;
    case "answered-another":
      return `Refusing: asked DocSpace for ${named(r.asked)} and ${mismatch(r.asked, r.answered)}. Nothing was started. Check docspace:url and the entry.`;
    case "record-names-another":
      return `Refusing: asked DocSpace for ${named(r.asked)} and the record names ${r.recordedEmail}, but DocSpace's account ${r.answered.id} now has the address ${r.answered.email ?? "(none)"}. Nothing was started. Check docspace:url and the entry.`;
    case "owner":
      return `${describeAccount(r.target)} is the portal owner; DocSpace never lets anyone ${verbs(r.action)[0]} the owner. Transfer portal ownership first, or delete this entry.`;
    case "self":
      return `${describeAccount(r.target)} is the account the API key belongs to; an account cannot ${verbs(r.action)[0]} itself. Run this with another admin's key, or delete this entry.`;
    case "admin-not-allowed":
      return `${describeAccount(r.target)} is a DocSpace admin. ${verbs(r.action)[1]} an admin must be asked for explicitly: add \`allowAdmin: true\` to the entry (and run with the portal owner's key).`;
    case "admin-needs-owner-key":
      return `${describeAccount(r.target)} is a DocSpace admin, and only the portal owner can ${verbs(r.action)[0]} a DocSpace admin; the API key belongs to ${describeAccount(r.caller)}. Use a key created by the owner.`;
    case "people-admin-needs-owner-key":
      return `${describeAccount(r.target)} administers the People module, and DocSpace lets only the portal owner transfer such an account's data; the API key belongs to ${describeAccount(r.caller)}. Use a key created by the owner, or remove the account without transferTo.`;
    case "ldap-active":
      return `${describeAccount(r.target)} is an LDAP account and still active; DocSpace does not let the API disable LDAP accounts. Disable it in DocSpace or in the directory first, then run again.`;
    case "successor-missing":
      return `The successor ${r.named} is not a DocSpace account at ${r.origin}. Name an active room admin or DocSpace admin.`;
    case "successor-answered-another":
      return `Refusing: asked DocSpace for the successor ${r.named} and ${mismatch(r.asked, r.answered)}. Nothing was started.`;
    case "successor-is-target":
      return `transferTo names the account being removed (${describeAccount(r.target)}); name someone else to receive the data.`;
    case "successor-inactive":
      return `The successor ${describeAccount(r.successor)} is not active (disabled or pending); DocSpace can only move data to an active room admin or DocSpace admin.`;
    case "successor-not-admin":
      return `The successor ${describeAccount(r.successor)} is a ${employeeType(r.successor)}; DocSpace can only move data to a room admin or DocSpace admin.`;
    case "both-tasks-running":
      return `DocSpace is running both a removal and a transfer for ${describeAccount(r.target)}. Nothing more is started; wait for them to finish, then run again.`;
    case "removal-running":
      return `A removal (remove/start, ${r.percentage}%) is already running for ${describeAccount(r.target)}: it gives the rooms to whoever started it and deletes the rest, so it cannot become a transfer to ${r.transferTo}. Wait for it to finish and delete this entry, or stop it in DocSpace first.`;
    case "transfer-running": {
      const why = r.ownRecordRedirected
        ? ` This entry's transfer is still running and a running transfer cannot be redirected or turned into a removal: put transferTo back as it was until it has finished.`
        : ` It was not started by this step, and DocSpace does not say to whom it moves the data or whether it keeps the profile, so it is not adopted.` +
          (r.action === "transfer" ? "" : " (If this entry also transfers the data keeping the profile, this is that transfer: the removal starts in a run after it has finished.)");
      return `A transfer (reassign/start, ${r.percentage}%) is already running for ${describeAccount(r.target)}.${why} Nothing more is started; run again once it has finished, or stop it in DocSpace.`;
    }
    case "finished-transfer-unattributed": {
      const who = describeAccount(r.target);
      return (
        `DocSpace reports a finished transfer of ${who}'s data (reassign/start, 100%), but this stack did not see it start (this record is ${r.recordStatus}), and DocSpace's report does not say who received the data, so it is not recorded as this entry's transfer. ` +
        `Nothing was started. Check in DocSpace who owns ${who}'s rooms now; run \`pulumi up\` again in a few minutes, once DocSpace has dropped that finished task: this entry's own transfer then moves whatever is left to ${r.successor ? describeAccount(r.successor) : "the successor"}.`
      );
    }
    case "finished-removal-account-exists":
      return `DocSpace reports a finished removal for ${describeAccount(r.target)}, yet the account still exists. Refusing to start another until this is understood: check the account in DocSpace, then run again.`;
    case "finished-removal-not-transfer":
      return `DocSpace reports a finished removal (remove/start) for ${describeAccount(r.target)}: the data went to whoever started it, not to ${r.transferTo}. Nothing more can be moved; delete this entry.`;
  }
}

// ---- the refusals around the gate's words, as each resource puts them ------------------------

/** What to do about an entry whose account does not exist. */
export const ABSENT_ADVICE =
  "Fix the entry if it has a typo. If the account was removed already (by an interrupted `pulumi up`, whose removal finished meanwhile, or by hand), add `alreadyRemoved: true` to the entry to record it (without `removeAfter` or another action): it is accepted only while DocSpace has no such account. Or delete the entry.";

/** A suspension's advice for an entry whose account does not exist. */
const SUSPENSION_ABSENT_ADVICE = "Fix the entry if it has a typo, or delete it.";

/** A check that finds the entry's account gone (by id), or absent: the failure it reports. `forSuspension`: an AccountSuspension's words. */
export function noAccount(verdict: { kind: "gone"; proof: string } | { kind: "absent"; reason: string }, entry: { userId?: string }, origin: string, forSuspension = false): string {
  const advice = forSuspension ? SUSPENSION_ABSENT_ADVICE : ABSENT_ADVICE;
  return verdict.kind === "absent" ? `${verdict.reason} ${advice}` : `No DocSpace account has the id ${entry.userId} at ${origin} (${verdict.proof}). ${advice}`;
}

/** A step refused before anything was sent: "Refusing to <verb> <name>: <reasons>". */
export function refusedStep(verb: string, name: string, reasons: string): string {
  return `Refusing to ${verb} ${name}: ${reasons}`;
}

/** A create that finds no account with the entry's email. */
export function absentAtStart(name: string, reason: string): string {
  return `Refusing to remove ${name}: ${reason} Nothing was started. ${ABSENT_ADVICE}`;
}

/** A create of a new entry whose account DocSpace says does not exist. */
export function goneAtStart(name: string, proof: string): string {
  return `Refusing to record ${name} as removed by this stack: DocSpace says the account does not exist (${proof}). Delete the entry.`;
}

/** Why an entry marked alreadyRemoved is not recorded as removed. */
export type AlreadyGoneRefusal =
  | { code: "still-there"; ref: AccountRef; user: Employee }
  | { code: "no-envelope"; ref: AccountRef; origin: string; message: string }
  | { code: "search-refused"; ref: AccountRef; searchRefused: string };

export function alreadyGoneRefusal(r: AlreadyGoneRefusal): string {
  switch (r.code) {
    case "still-there":
      return r.ref.userId !== undefined
        ? `alreadyRemoved is set, but DocSpace still has the account ${describeAccount(r.user)}. Remove the flag if it should be removed, or delete the entry.`
        : `alreadyRemoved is set, but DocSpace still has an account with the email ${r.ref.email}: ${describeAccount(r.user)}. Remove the flag if it should be removed, or delete the entry.`;
    case "no-envelope":
      return `${r.origin} answered 404 for ${r.ref.email} without DocSpace's error envelope (${r.message.slice(0, 120)}); that proves nothing. Check docspace:url.`;
    case "search-refused":
      return (
        `alreadyRemoved is set, but DocSpace refused the search that finds ${r.ref.email} whatever its letter case (GET people/filter: ${r.searchRefused}), and its exact lookup heeds letter case on some portals (PostgreSQL), so nothing proves the account gone. ` +
        `Name the account by id (userId) instead, or run with a key that may search people (accounts:read).`
      );
  }
}
