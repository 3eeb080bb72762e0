/**
 * The one gate in front of every irreversible step. It reads, fresh, every fact a removal depends
 * on (the key's account and rights, the target and that it is the person asked for, the target's
 * role and status, the successor, and any task of either kind already under way for the target,
 * whoever started it) and decides: refuse, start, adopt the running task, or "gone, with proof".
 * Check (preview), create, update and read all ask it; none of them decides on its own.
 *
 * Nothing is cached here: accounts.ts only shares a read among callers asking at the same moment.
 * Nothing in this module writes to the portal.
 */
import type { DocSpaceClient } from "../docspace/client";
import { DocSpaceError } from "../docspace/errors";
import { accountRefKind, employeeType, isActive, isDisabled, TaskStatus, type Employee, type EmployeeType, type TaskProgress } from "../docspace/schemas";
import { describeAccount, keyAccount, keyScopes, lookUp, type AccountRef } from "./accounts";
import { accountProperty } from "./user-removal-model";
import { isDue, today as clockToday } from "../clock";

const todayUtc = (): string => clockToday(undefined, undefined);

/** remove: remove/start; transfer: reassign/start deleting the profile; keep: reassign/start keeping it. */
export type Mode = "remove" | "transfer" | "keep";

/** What the step will do: start a task of the entry's mode, or only disable the account. */
export type Purpose = "task" | "disable";

export interface Failure {
  property: string;
  reason: string;
}

/** What an entry asks for. */
export interface RemovalAsk {
  account: AccountRef;
  /** Email or id of the successor, lower-cased. */
  transferTo?: string;
  allowAdmin: boolean;
  /** Transfer the data and keep the profile (DataTransfer), rather than remove it. */
  keepProfile?: boolean;
  /** Only disable the account (AccountSuspension): no successor, no task. */
  purpose?: Purpose;
  /** YYYY-MM-DD: no removal before this day. */
  removeAfter?: string;
  /** Today (YYYY-MM-DD, UTC), read by the caller from the one clock (clock.ts). */
  today?: string;
}

/** What the stack already recorded for this entry (from an earlier, unfinished run). */
export interface Record_ {
  userId: string;
  email: string;
  portal: string;
  mode: Mode;
  transferToId?: string;
  taskId: string;
  /** The recorded status (Running, Failed, …). */
  status?: string;
}

export interface AssessContext {
  /** The stored record of an entry the stack already holds (update, refresh). */
  stored?: Record_;
  /** check() of an entry already in the stack: its previous inputs' successor. */
  previousTransferTo?: string | null;
  /** Accounts listed for removal in this run (by id), for "the successor is being removed too". */
  listedForRemoval?: (userId: string) => string | undefined;
  /** A preview (check): nothing will be started from this verdict. */
  preview?: boolean;
  /** A preview-only run (docspace:previewOnly): a key without write permission is not refused in preview. */
  previewOnly?: boolean;
  /**
   * A transfer that keeps the profile, already held by the stack (or seen by the whole-file look):
   * when DocSpace has nothing left to transfer, it is settled, whatever became of the successor since.
   */
  settledTransferCounts?: boolean;
  /**
   * Preview of a removal whose own entry's DataTransfer (declared before it, in this run) is
   * transferring this person now: the removal waits behind it, so the running transfer is no refusal.
   */
  ownTransfer?: (targetId: string) => boolean;
}

export interface Plan {
  mode: Mode;
  target: Employee;
  successor?: Employee;
  caller: Employee;
}

export type Verdict =
  | { kind: "refuse"; failures: Failure[] }
  /** DocSpace itself says the account no longer exists (its error envelope on people/{id}). */
  | { kind: "gone"; proof: string }
  /** No account has the entry's email. Not proof of removal: only an id lookup proves that. */
  | { kind: "absent"; reason: string }
  | { kind: "start"; plan: Plan }
  /** A transfer keeping the profile has nothing left to move (DocSpace's reassign/necessary) and no task runs. */
  | { kind: "settled"; plan: Plan; proof: string }
  /** A removal of this person (what the entry asks) finished just now, and DocSpace proves the profile gone. */
  | { kind: "finished"; plan: Plan; task: TaskProgress; proof: string }
  | { kind: "adopt"; plan: Plan; task: TaskProgress; taskKind: Mode };

const named = (ref: AccountRef): string => ref.email ?? ref.userId ?? "";
const refuse = (property: string, reason: string): Verdict => ({ kind: "refuse", failures: [{ property, reason }] });

/** Decides whether (and how) a removal may go ahead, from facts read now. */
export async function assess(client: DocSpaceClient, ask: RemovalAsk, ctx: AssessContext = {}): Promise<Verdict> {
  const prop = accountProperty(ask.account);
  // Nobody is removed before their date, whatever the program declared.
  const day = ask.today ?? todayUtc();
  if (ask.purpose !== "disable" && !ask.keepProfile && ask.removeAfter !== undefined && !isDue(ask.removeAfter, day)) {
    return refuse("removeAfter", `${named(ask.account)} is not due for removal until ${ask.removeAfter} (today is ${day}, UTC); nothing is removed before that day.`);
  }
  if (ctx.stored) {
    const other = portalMismatch(client, ctx.stored.portal);
    if (other) return refuse(prop, other);
  }

  // The key: whose it is, and whether it may remove anyone at all.
  const key = await keyFacts(client, ctx.preview === true && ctx.previewOnly === true);
  if ("reason" in key) return refuse("", key.reason);
  const caller = key.caller;

  // The target: the person asked for, or (for a stored record) the very account recorded.
  const ref: AccountRef = ctx.stored ? { userId: ctx.stored.userId } : ask.account;
  const look = await lookUp(client, ref);
  if (!look.found) {
    if (ref.userId !== undefined) {
      if (!look.envelope) return refuse(prop, notProof(client, ref.userId, look.message));
      return { kind: "gone", proof: goneProof(client, ref.userId, look.message) };
    }
    return { kind: "absent", reason: `No DocSpace account has the email ${ref.email} at ${client.origin}.` };
  }
  const target = look.user;
  const wrong = identityMismatch(ref, target) ?? (ctx.stored && !sameEmail(ctx.stored.email, target.email) && ctx.stored.email !== "" ? `the record names ${ctx.stored.email}, but DocSpace's account ${target.id} now has the address ${target.email ?? "(none)"}` : undefined);
  if (wrong) return refuse(prop, `Refusing: asked DocSpace for ${named(ref)} and ${wrong}. Nothing was started. Check docspace:url and the entry.`);
  const who = describeAccount(target);

  // Role and status.
  const [verb, verbing] = ask.purpose === "disable" ? ["disable", "Disabling"] : ["remove", "Removing"];
  if (target.isOwner) return refuse(prop, `${who} is the portal owner; DocSpace never ${verb}s the owner. Transfer portal ownership first, or delete this entry.`);
  if (sameId(caller.id, target.id)) return refuse(prop, `${who} is the account the API key belongs to; an account cannot ${verb} itself. Run this with another admin's key, or delete this entry.`);
  if (target.isAdmin && !ask.allowAdmin) {
    return refuse("allowAdmin", `${who} is a DocSpace admin. ${verbing} an admin must be asked for explicitly: add \`allowAdmin: true\` to the entry (and run with the portal owner's key).`);
  }
  if (target.isAdmin && !caller.isOwner) {
    return refuse("allowAdmin", `${who} is a DocSpace admin, and only the portal owner can ${verb} a DocSpace admin; the API key belongs to ${describeAccount(caller)}. Use a key created by the owner.`);
  }
  if (target.isLDAP && !isDisabled(target)) {
    return refuse(prop, `${who} is an LDAP account and still active; DocSpace does not let the API disable LDAP accounts. Disable it in DocSpace or in the directory first, then run again.`);
  }
  const mode: Mode = ask.keepProfile ? "keep" : ask.transferTo !== undefined ? "transfer" : "remove";
  // Disabling touches no data and no task: the rules above are all it needs.
  if (ask.purpose === "disable") return { kind: "start", plan: { mode, target, caller } };

  // A transfer already made: settled by DocSpace's word, even if its successor has left since.
  // Only a transfer last seen running (whose task has since expired) qualifies: a failed, canceled
  // or unconfirmed one is started again (a transfer that keeps the profile is safe to repeat).
  // Both progress routes, read at most once in this assessment (the settled check and the task rules share them).
  let taskReads: Promise<[TaskProgress | undefined, TaskProgress | undefined]> | undefined;
  const tasksNow = (): Promise<[TaskProgress | undefined, TaskProgress | undefined]> => (taskReads ??= Promise.all([client.removeProgress(target.id), client.reassignProgress(target.id)]));
  if (mode === "keep" && isDisabled(target) && (ctx.settledTransferCounts || (ctx.stored?.mode === "keep" && ctx.stored.status === "Running"))) {
    const tasks = await tasksNow();
    const endedBadly = tasks.some((t) => t !== undefined && (t.status === TaskStatus.Failed || t.status === TaskStatus.Canceled));
    if (!tasks.some(unfinished) && !endedBadly) {
      const proof = await keptTransferSettled(client, target.id, employeeType(target));
      if (proof) return { kind: "settled", plan: { mode, target, caller }, proof };
    }
  }

  // The successor.
  let successor: Employee | undefined;
  if (ask.transferTo !== undefined) {
    const s = await successorFacts(client, ask.transferTo, target, ctx);
    if ("reason" in s) return refuse("transferTo", s.reason);
    successor = s.successor;
  }

  // Tasks of either kind for this person, whoever started them. Before a start both are always
  // read. A preview reads them only for a disabled account: DocSpace starts neither kind for an
  // account that is not disabled, so an active account can have a task only if it was re-enabled
  // while one ran, and the start's own reads catch that.
  const readTasks = !ctx.preview || isDisabled(target);
  const [removeTask, reassignTask] = readTasks ? await tasksNow() : [undefined, undefined];
  const plan: Plan = { mode, target, successor, caller };
  const verdict = decideOnTasks(plan, ask, ctx, removeTask, reassignTask);
  if (verdict.kind !== "finished" || plan.mode === "keep") return verdict;
  // The removal finished between reading the account and reading its task: the profile decides.
  const gone = await proveGone(client, target.id);
  if (gone.gone) return { ...verdict, proof: gone.proof };
  return refuse(prop, `DocSpace reports a finished removal for ${who}, yet the account still exists. Refusing to start another until this is understood: check the account in DocSpace, then run again.`);
}

const unfinished = (t?: TaskProgress): boolean => t !== undefined && (t.status === TaskStatus.Created || t.status === TaskStatus.Running);

/**
 * A transfer that keeps the profile, whose task DocSpace no longer lists: done when DocSpace says
 * nothing is left to transfer (reassign/necessary false).
 */
export async function keptTransferSettled(client: DocSpaceClient, userId: string, type: EmployeeType): Promise<string | undefined> {
  const necessary = await client.reassignNecessary(userId, type);
  return necessary ? undefined : `GET people/reassign/necessary?userId=${userId} at ${client.origin}: false (the account owns nothing left to transfer)`;
}

function decideOnTasks(plan: Plan, ask: RemovalAsk, ctx: AssessContext, removeTask?: TaskProgress, reassignTask?: TaskProgress): Verdict {
  const who = describeAccount(plan.target);
  const prop = accountProperty(ask.account);
  if (unfinished(removeTask) && unfinished(reassignTask)) {
    return refuse(prop, `DocSpace is running both a removal and a transfer for ${who}. Nothing more is started; wait for them to finish, then run again.`);
  }
  if (removeTask && unfinished(removeTask)) {
    if (plan.mode === "remove") return { kind: "adopt", plan, task: removeTask, taskKind: "remove" };
    return refuse(
      "transferTo",
      `A removal (remove/start, ${removeTask.percentage}%) is already running for ${who}: it gives the rooms to whoever started it and deletes the rest, so it cannot become a transfer to ${ask.transferTo}. Wait for it to finish and delete this entry, or stop it in DocSpace first.`,
    );
  }
  if (reassignTask && unfinished(reassignTask) && plan.mode !== "keep" && ctx.preview && ctx.ownTransfer?.(plan.target.id)) {
    return { kind: "start", plan }; // after the transfer: the engine runs the removal once its DataTransfer has finished
  }
  if (reassignTask && unfinished(reassignTask)) {
    const stored = ctx.stored;
    const ours =
      plan.mode !== "remove" &&
      ((stored !== undefined && stored.mode === plan.mode && stored.transferToId !== undefined && sameId(stored.transferToId, plan.successor!.id)) ||
        (stored === undefined && ctx.previousTransferTo !== undefined && ctx.previousTransferTo === ask.transferTo));
    if (ours) return { kind: "adopt", plan, task: reassignTask, taskKind: "transfer" };
    const changed =
      (stored !== undefined && stored.mode !== "remove" && stored.transferToId !== undefined) || (ctx.previousTransferTo !== undefined && ctx.previousTransferTo !== null)
        ? ` This entry's transfer is still running and a running transfer cannot be redirected or turned into a removal: put transferTo back as it was until it has finished.`
        : ` It was not started by this step, and DocSpace does not say to whom it moves the data or whether it keeps the profile, so it is not adopted.` +
          (plan.mode === "keep" ? "" : " (If this entry also transfers the data keeping the profile, this is that transfer: the removal starts in a run after it has finished.)");
    return refuse(
      plan.mode === "transfer" ? "transferTo" : prop,
      `A transfer (reassign/start, ${reassignTask.percentage}%) is already running for ${who}.${changed} Nothing more is started; run again once it has finished, or stop it in DocSpace.`,
    );
  }
  if (plan.mode === "keep" && reassignTask?.status === TaskStatus.Completed && ctx.stored?.mode === "keep") {
    // This record's own transfer finished: DocSpace's task report is the proof (the profile stays).
    return { kind: "finished", plan, task: reassignTask, proof: transferProof(reassignTask) };
  }
  if (removeTask?.status === TaskStatus.Completed) {
    if (plan.mode === "remove") return { kind: "finished", plan, task: removeTask, proof: "" };
    return refuse(prop, `DocSpace reports a finished removal (remove/start) for ${who}: the data went to whoever started it, not to ${ask.transferTo}. Nothing more can be moved; delete this entry.`);
  }
  return { kind: "start", plan };
}

/** The key's account, which must be the owner's or a DocSpace admin's, with rights to change accounts. */
async function keyFacts(client: DocSpaceClient, readOnlyAllowed: boolean): Promise<{ caller: Employee } | { reason: string }> {
  const [caller, scopes] = await Promise.all([keyAccount(client), keyScopes(client)]);
  if (!caller) {
    return {
      reason:
        `The API key may not read its own account (DocSpace refused GET people/@self), so nothing can check that it belongs to the portal owner or a DocSpace admin; refusing to remove anyone with it. ` +
        `Use a key with all permissions, or add accounts.self:read to its permissions.`,
    };
  }
  if (employeeType(caller) !== "DocSpaceAdmin") {
    return {
      reason: `The API key belongs to ${describeAccount(caller)}, a ${employeeType(caller)}; only the portal owner and DocSpace admins can remove accounts. Use a key created by the owner or a DocSpace admin.`,
    };
  }
  // A preview-only run plans with a read-only key; the rules that depend on whose key it is
  // (owner, admin, "your own account") still apply to the account it belongs to.
  if (readOnlyAllowed) return { caller };
  if (scopes === "refused") {
    return {
      reason:
        `The API key may not read its own permissions (DocSpace refused GET keys/@self), so nothing can check that it may change accounts; refusing to remove anyone with it. ` +
        `Use a key with all permissions (or with *:read and accounts:write).`,
    };
  }
  if (Array.isArray(scopes) && !mayWriteAccounts(scopes)) {
    return {
      reason: `The API key's permissions (${scopes.slice(0, 10).join(", ")}) do not include accounts:write, so it cannot remove anyone. Use a key with all permissions or with accounts:write.`,
    };
  }
  return { caller };
}

/** DocSpace's scope rule (contract 3): no restriction, a global write scope, or accounts:write. */
export function mayWriteAccounts(scopes: string[]): boolean {
  return scopes.length === 0 || scopes.some((s) => s === "*" || s === "*:write" || s === "accounts:write");
}

async function successorFacts(client: DocSpaceClient, refText: string, target: Employee, ctx: AssessContext): Promise<{ successor: Employee } | { reason: string }> {
  const ref: AccountRef = accountRefKind(refText) === "id" ? { userId: refText } : { email: refText };
  const look = await lookUp(client, ref);
  if (!look.found) return { reason: `The successor ${refText} is not a DocSpace account at ${client.origin}. Name an active room admin or DocSpace admin.` };
  const successor = look.user;
  const wrong = identityMismatch(ref, successor);
  if (wrong) return { reason: `Refusing: asked DocSpace for the successor ${refText} and ${wrong}. Nothing was started.` };
  const who = describeAccount(successor);
  if (sameId(successor.id, target.id)) return { reason: `transferTo names the account being removed (${describeAccount(target)}); name someone else to receive the data.` };
  const listed = ctx.listedForRemoval?.(successor.id.toLowerCase());
  if (listed !== undefined) return { reason: `The successor ${who} is also listed for removal (${listed}); the data would be removed with them. Name a successor who stays.` };
  if (!isActive(successor)) return { reason: `The successor ${who} is not active (disabled or pending); DocSpace can only move data to an active room admin or DocSpace admin.` };
  if (!(successor.isOwner || successor.isAdmin || successor.isRoomAdmin)) {
    return { reason: `The successor ${who} is a ${employeeType(successor)}; DocSpace can only move data to a room admin or DocSpace admin.` };
  }
  return { successor };
}

/**
 * Whether the profile is gone, by DocSpace's own word: its error envelope on people/{id} from the
 * configured portal. Throws when the answer is no proof either way.
 */
export async function proveGone(client: DocSpaceClient, userId: string, storedPortal?: string): Promise<{ gone: true; proof: string } | { gone: false; user: Employee }> {
  const other = storedPortal ? portalMismatch(client, storedPortal) : undefined;
  if (other) throw new DocSpaceError("configuration", other);
  const look = await lookUp(client, { userId }, { newRequest: true }); // proof is never an earlier answer
  if (look.found) {
    const wrong = identityMismatch({ userId }, look.user);
    if (wrong) throw new DocSpaceError("unexpected-response", `Asked DocSpace for the account ${userId} and ${wrong}; that proves nothing about ${userId}. Check docspace:url.`);
    return { gone: false, user: look.user };
  }
  if (!look.envelope) throw new DocSpaceError("unexpected-response", notProof(client, userId, look.message));
  return { gone: true, proof: goneProof(client, userId, look.message) };
}

/**
 * For an entry marked `alreadyRemoved`: DocSpace's own word that no such account exists. By id:
 * its error envelope on people/{id}. By email: its error envelope on the exact lookup, and no
 * account with that address (any letter case) in its search.
 */
export async function confirmAlreadyGone(client: DocSpaceClient, ref: AccountRef): Promise<{ gone: true; proof: string } | { gone: false; reason: string }> {
  if (ref.userId !== undefined) {
    const r = await proveGone(client, ref.userId);
    return r.gone ? r : { gone: false, reason: `alreadyRemoved is set, but DocSpace still has the account ${describeAccount(r.user)}. Remove the flag if it should be removed, or delete the entry.` };
  }
  const look = await lookUp(client, ref);
  if (look.found) {
    return { gone: false, reason: `alreadyRemoved is set, but DocSpace still has an account with the email ${ref.email}: ${describeAccount(look.user)}. Remove the flag if it should be removed, or delete the entry.` };
  }
  if (!look.envelope) return { gone: false, reason: `${client.origin} answered 404 for ${ref.email} without DocSpace's error envelope (${look.message.slice(0, 120)}); that proves nothing. Check docspace:url.` };
  return { gone: true, proof: `GET people/email?email=${ref.email} at ${client.origin}: 404 "${look.message.slice(0, 80)}"; no account with that address in people/filter` };
}

/** A transfer that keeps the profile is done by DocSpace's own task report: Completed, 100%. */
export function transferProof(task: TaskProgress): string {
  return `GET people/reassign/progress: task ${task.id.slice(0, 120)} status 2 (Completed), ${task.percentage}%`;
}

function goneProof(client: DocSpaceClient, userId: string, message: string): string {
  return `GET people/${userId} at ${client.origin}: 404 "${message.slice(0, 80)}"`;
}

function notProof(client: DocSpaceClient, userId: string, message: string): string {
  return (
    `${client.origin} answered 404 for the account ${userId} without DocSpace's error envelope (${message.slice(0, 120)}). ` +
    `That is not DocSpace saying the account is gone (a proxy, a wrong address, another service?), so nothing is recorded as removed. Check docspace:url.`
  );
}

/** A record made against one portal is never settled by the answers of another. */
export function portalMismatch(client: DocSpaceClient, storedPortal: string): string | undefined {
  if (!storedPortal || storedPortal === client.origin) return undefined;
  return (
    `This removal was recorded against ${storedPortal}, but docspace:url is now ${client.origin}; that portal's answers say nothing about this record. ` +
    `Set docspace:url back to ${storedPortal}. If the portal really moved, check the account there by hand, then drop the record with \`pulumi state delete\`.`
  );
}

/** Says how an answer differs from the person asked for, or undefined when it is them. */
function identityMismatch(ref: AccountRef, user: Employee): string | undefined {
  if (ref.userId !== undefined) {
    return sameId(user.id, ref.userId) ? undefined : `DocSpace answered with another account: ${describeAccount(user)} (id ${user.id})`;
  }
  return sameEmail(user.email, ref.email) ? undefined : `DocSpace answered with another person: ${describeAccount(user)} (email ${user.email ?? "none"})`;
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Letter case never tells two addresses apart. */
function sameEmail(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}
