/**
 * The one gate in front of every irreversible step. It reads, fresh, every fact a step depends on
 * (the key's account and rights, the target and that it is the person asked for, the target's
 * role and status, the successor, and any task of either kind already under way for the target,
 * whoever started it) and decides: refuse, start, adopt the running task, or done, with proof.
 *
 * Every caller names its situation (a preview, a start, a resume of a stored record, ...) as one
 * value; what differs between situations is derived from it here, so no caller can ask for a
 * weaker gate than its situation gets. Whether a step is finished is outcome.ts's to say.
 *
 * Nothing is cached here: accounts.ts only shares a read among callers asking at the same moment.
 * Nothing in this module writes to the portal.
 */
import type { DocSpaceClient } from "../../docspace/client";
import { accountRefKind, employeeType, isActive, isDisabled, TaskStatus, type Employee, type TaskProgress } from "../../docspace/schemas";
import { describeAccount, identityMismatch, keyAccount, keyScopes, lookUp, sameEmail, sameId, type AccountRef, type Lookup } from "../accounts";
import { goneProof, isUnfinished, notProof, outcomeOf, portalMismatch, taskKindOf, type Seen } from "./outcome";
import { isDue } from "../../clock";
import type { Action } from "../../entry-rules";
import type { RemovalStatus } from "../user-removal-model";

export interface Failure {
  property: string;
  reason: string;
}

/** What an entry asks for. */
export interface RemovalAsk {
  account: AccountRef;
  /** disable: the account only; transfer: the data to transferTo, keeping the profile; remove: data and profile (to transferTo when named). */
  action: Action;
  /** Email or id of the successor, lower-cased. */
  transferTo?: string;
  allowAdmin: boolean;
  /** A dated removal: nothing is removed before `removeAfter`, judged on `today` (UTC, from the one clock). */
  schedule?: { removeAfter: string; today: string };
}

/** What the stack recorded of a step it began in an earlier run. */
export interface StoredRecord {
  userId: string;
  email: string;
  portal: string;
  action: Action;
  transferToId?: string;
  /** Running: this stack saw its task start. Unconfirmed: the start's answer was lost. */
  status: RemovalStatus;
  /**
   * Its task may still be waiting in DocSpace's queue, where DocSpace does not show it: the record
   * is unfinished and its task was last seen (or its start sent) less than unseenTaskHours ago.
   */
  taskMayWait: boolean;
}

/**
 * Why the gate is asked. A preview starts nothing; start and resume may start a task right after.
 * `entryTransfers`: the entry also declares a DataTransfer that runs before this step (a due
 * removal of an entry with action transfer), so the transfer running now is its own.
 */
export type Situation =
  /** A resource's check of an entry new to the stack. */
  | { kind: "preview"; previewOnly: boolean; entryTransfers: boolean }
  /**
   * The program's look at the whole file, which cannot see the stack's records. `found`: the
   * account as the look's own search found it a moment ago (accounts.ts lookUpAll), when it did.
   */
  | { kind: "preview-file"; previewOnly: boolean; entryTransfers: boolean; found?: Lookup }
  /** The preview of a stored, unfinished record (its diff): what resume would decide. */
  | { kind: "preview-resume"; previewOnly: boolean; stored: StoredRecord }
  /** create: a step new to the stack. */
  | { kind: "start" }
  /** update: a stored, unfinished record is carried on. */
  | { kind: "resume"; stored: StoredRecord };

/** What differs between situations, derived in this one place. */
function aspectsOf(sit: Situation): { preview: boolean; readOnlyKey: boolean; stored?: StoredRecord; seen: Seen | "new"; entryTransfers: boolean; found?: Lookup; fromList: boolean } {
  const preview = sit.kind === "preview" || sit.kind === "preview-file" || sit.kind === "preview-resume";
  const stored = sit.kind === "preview-resume" || sit.kind === "resume" ? sit.stored : undefined;
  return {
    preview,
    // Only a preview-only run's previews may plan with a key that cannot write.
    readOnlyKey: preview && sit.previewOnly,
    stored,
    seen: sit.kind === "preview-file" ? "maybe" : stored === undefined ? "new" : stored.status === "Running" ? "yes" : "no",
    entryTransfers: (sit.kind === "preview" || sit.kind === "preview-file") && sit.entryTransfers,
    found: sit.kind === "preview-file" ? sit.found : undefined,
    // The whole-file look reads people lists: an id missing there is absent, not proven gone.
    fromList: sit.kind === "preview-file",
  };
}

export interface Plan {
  action: Action;
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
  /**
   * `waitsFor`: the start was judged with a transfer running that is taken to be the entry's own
   * DataTransfer, which the engine finishes first; only the stack's records can confirm that.
   */
  | { kind: "start"; plan: Plan; waitsFor?: "own-transfer" }
  /** The step is done, by DocSpace's own proof (outcome.ts); `task`: the finished task, when DocSpace still reports it. */
  | { kind: "done"; plan: Plan; proof: string; task?: TaskProgress }
  /** Follow the task already under way; `task` undefined: this record's task, which DocSpace does not show now (it may wait in its queue). */
  | { kind: "adopt"; plan: Plan; task?: TaskProgress };

const named = (ref: AccountRef): string => ref.email ?? ref.userId ?? "";
const refuse = (property: string, reason: string): Verdict => ({ kind: "refuse", failures: [{ property, reason }] });
const propertyOf = (ref: AccountRef): "userId" | "email" => (ref.userId !== undefined ? "userId" : "email");

/** Decides whether (and how) a step may go ahead, from facts read now. */
export async function assess(client: DocSpaceClient, ask: RemovalAsk, sit: Situation): Promise<Verdict> {
  const aspects = aspectsOf(sit);
  const prop = propertyOf(ask.account);
  // Nobody is removed before their date, whatever the program declared.
  if (ask.action === "remove" && ask.schedule && !isDue(ask.schedule.removeAfter, ask.schedule.today)) {
    const { removeAfter, today } = ask.schedule;
    return refuse("removeAfter", `${named(ask.account)} is not due for removal until ${removeAfter} (today is ${today}, UTC); nothing is removed before that day.`);
  }
  const stored = aspects.stored;
  if (stored) {
    const other = portalMismatch(client, stored.portal);
    if (other) return refuse(prop, other);
  }

  // The key: whose it is, and whether it may change accounts at all.
  const key = await keyFacts(client, aspects.readOnlyKey);
  if ("reason" in key) return refuse("", key.reason);
  const caller = key.caller;

  // The target: the person asked for, or (for a stored record) the very account recorded.
  const ref: AccountRef = stored ? { userId: stored.userId } : ask.account;
  const look = aspects.found ?? (await lookUp(client, ref));
  if (!look.found) {
    if (ref.userId !== undefined && !aspects.fromList) {
      if (!look.envelope) return refuse(prop, notProof(client, ref.userId, look.message));
      return { kind: "gone", proof: goneProof(client, ref.userId, look.message) };
    }
    return { kind: "absent", reason: ref.email !== undefined ? `No DocSpace account has the email ${ref.email} at ${client.origin}.` : `No DocSpace account has the id ${ref.userId} at ${client.origin}.` };
  }
  const target = look.user;
  const wrong =
    identityMismatch(ref, target) ??
    (stored && stored.email !== "" && !sameEmail(stored.email, target.email) ? `the record names ${stored.email}, but DocSpace's account ${target.id} now has the address ${target.email ?? "(none)"}` : undefined);
  if (wrong) return refuse(prop, `Refusing: asked DocSpace for ${named(ref)} and ${wrong}. Nothing was started. Check docspace:url and the entry.`);
  const who = describeAccount(target);

  // Role and status.
  const [verb, verbing] = ask.action === "disable" ? ["disable", "Disabling"] : ask.action === "transfer" ? ["transfer the data of", "Transferring the data of"] : ["remove", "Removing"];
  if (target.isOwner) return refuse(prop, `${who} is the portal owner; DocSpace never lets anyone ${verb} the owner. Transfer portal ownership first, or delete this entry.`);
  if (sameId(caller.id, target.id)) return refuse(prop, `${who} is the account the API key belongs to; an account cannot ${verb} itself. Run this with another admin's key, or delete this entry.`);
  if (target.isAdmin && !ask.allowAdmin) {
    return refuse("allowAdmin", `${who} is a DocSpace admin. ${verbing} an admin must be asked for explicitly: add \`allowAdmin: true\` to the entry (and run with the portal owner's key).`);
  }
  if (target.isAdmin && !caller.isOwner) {
    return refuse("allowAdmin", `${who} is a DocSpace admin, and only the portal owner can ${verb} a DocSpace admin; the API key belongs to ${describeAccount(caller)}. Use a key created by the owner.`);
  }
  // reassign/start refuses a People-module administrator's data unless the owner asks (ReassignController.StartReassign).
  if (ask.action !== "disable" && taskKindOf({ action: ask.action, successor: ask.transferTo }) === "reassign" && isPeopleAdmin(target) && !caller.isOwner) {
    return refuse(
      "transferTo",
      `${who} administers the People module, and DocSpace lets only the portal owner transfer such an account's data; the API key belongs to ${describeAccount(caller)}. Use a key created by the owner, or remove the account without transferTo.`,
    );
  }
  if (target.isLDAP && !isDisabled(target)) {
    return refuse(prop, `${who} is an LDAP account and still active; DocSpace does not let the API disable LDAP accounts. Disable it in DocSpace or in the directory first, then run again.`);
  }
  // Disabling touches no data and no task: the rules above are all it needs.
  if (ask.action === "disable") return { kind: "start", plan: { action: "disable", target, caller } };

  // Both progress routes, read at most once in this assessment.
  let taskReads: Promise<[TaskProgress | undefined, TaskProgress | undefined]> | undefined;
  const tasksNow = (): Promise<[TaskProgress | undefined, TaskProgress | undefined]> => (taskReads ??= Promise.all([client.removeProgress(target.id), client.reassignProgress(target.id)]));

  // A transfer this stack made (or may have made) is done by DocSpace's word, even if its successor
  // has left since: judged before the successor is.
  if (ask.action === "transfer" && isDisabled(target) && (aspects.seen === "yes" || aspects.seen === "maybe")) {
    const [removeTask, reassignTask] = await tasksNow();
    if (!isUnfinished(removeTask)) {
      const outcome = await outcomeOf(client, { action: "transfer", userId: target.id }, reassignTask, aspects.seen);
      if (outcome.kind === "done") return { kind: "done", plan: { action: "transfer", target, caller }, proof: outcome.proof, task: reassignTask };
    }
  }

  // The successor.
  let successor: Employee | undefined;
  if (ask.transferTo !== undefined) {
    const s = await successorFacts(client, ask.transferTo, target);
    if ("reason" in s) return refuse("transferTo", s.reason);
    successor = s.successor;
  }

  // Tasks of either kind for this person, whoever started them. Before a start both are always
  // read, and for a stored record. A preview of a new entry reads them only for a disabled
  // account: DocSpace starts neither kind for an account that is not disabled, so an active
  // account can have a task only if it was re-enabled while one ran, and the start's reads catch that.
  const readTasks = !aspects.preview || stored !== undefined || isDisabled(target);
  const [removeTask, reassignTask] = readTasks ? await tasksNow() : [undefined, undefined];
  return decideOnTasks(client, { action: ask.action, target, successor, caller }, ask, aspects, removeTask, reassignTask);
}

async function decideOnTasks(
  client: DocSpaceClient,
  plan: Plan,
  ask: RemovalAsk,
  aspects: ReturnType<typeof aspectsOf>,
  removeTask?: TaskProgress,
  reassignTask?: TaskProgress,
): Promise<Verdict> {
  const who = describeAccount(plan.target);
  const prop = propertyOf(ask.account);
  const kind = taskKindOf(plan);
  if (isUnfinished(removeTask) && isUnfinished(reassignTask)) {
    return refuse(prop, `DocSpace is running both a removal and a transfer for ${who}. Nothing more is started; wait for them to finish, then run again.`);
  }
  if (isUnfinished(removeTask)) {
    if (kind === "remove") return { kind: "adopt", plan, task: removeTask! };
    return refuse(
      "transferTo",
      `A removal (remove/start, ${removeTask!.percentage}%) is already running for ${who}: it gives the rooms to whoever started it and deletes the rest, so it cannot become a transfer to ${ask.transferTo}. Wait for it to finish and delete this entry, or stop it in DocSpace first.`,
    );
  }
  if (isUnfinished(reassignTask)) {
    // A due removal whose own entry's DataTransfer runs first: the engine starts it after that step.
    if (plan.action === "remove" && aspects.entryTransfers) return { kind: "start", plan, waitsFor: "own-transfer" };
    const stored = aspects.stored;
    const ours = kind === "reassign" && stored !== undefined && stored.action === plan.action && stored.transferToId !== undefined && sameId(stored.transferToId, plan.successor!.id);
    if (ours) return { kind: "adopt", plan, task: reassignTask! };
    // The whole-file look cannot see the stack's records: this may be the entry's own transfer from
    // an earlier run (one that outlived timeoutSeconds). The resource decides with its record: its
    // diff adopts it or refuses, and a new entry's check refuses a transfer it did not start.
    if (kind === "reassign" && aspects.seen === "maybe") return { kind: "adopt", plan, task: reassignTask! };
    const changed =
      stored !== undefined && stored.transferToId !== undefined
        ? ` This entry's transfer is still running and a running transfer cannot be redirected or turned into a removal: put transferTo back as it was until it has finished.`
        : ` It was not started by this step, and DocSpace does not say to whom it moves the data or whether it keeps the profile, so it is not adopted.` +
          (plan.action === "transfer" ? "" : " (If this entry also transfers the data keeping the profile, this is that transfer: the removal starts in a run after it has finished.)");
    return refuse(
      plan.successor ? "transferTo" : prop,
      `A transfer (reassign/start, ${reassignTask!.percentage}%) is already running for ${who}.${changed} Nothing more is started; run again once it has finished, or stop it in DocSpace.`,
    );
  }

  // Nothing under way that DocSpace shows. This record's own task may still wait in DocSpace's
  // queue, where DocSpace does not show it: follow it, never start a second one beside it.
  const own = kind === "remove" ? removeTask : reassignTask;
  if (aspects.stored?.taskMayWait && own === undefined) return { kind: "adopt", plan };
  // A finished task of this step's kind may be this very step, done.
  if (own?.status === TaskStatus.Completed && !(plan.action === "transfer" && aspects.seen === "new")) {
    const seen: Seen = aspects.seen === "new" ? "no" : aspects.seen;
    const outcome = await outcomeOf(client, { action: plan.action, userId: plan.target.id }, own, seen);
    if (outcome.kind === "done") return { kind: "done", plan, proof: outcome.proof, task: own };
    if (outcome.kind === "unattributed") {
      return refuse(
        "transferTo",
        `DocSpace reports a finished transfer of ${who}'s data (reassign/start, 100%), but this stack did not see it start (this record is ${aspects.stored?.status ?? "new"}), and DocSpace's report does not say who received the data, so it is not recorded as this entry's transfer. ` +
          `Nothing was started. Check in DocSpace who owns ${who}'s rooms now; run \`pulumi up\` again in a few minutes, once DocSpace has dropped that finished task: this entry's own transfer then moves whatever is left to ${plan.successor ? describeAccount(plan.successor) : "the successor"}.`,
      );
    }
    if (kind === "remove") {
      return refuse(prop, `DocSpace reports a finished removal for ${who}, yet the account still exists. Refusing to start another until this is understood: check the account in DocSpace, then run again.`);
    }
    // A finished reassign and the profile still there: a transfer that kept it, not this removal.
  }
  if (removeTask?.status === TaskStatus.Completed && kind === "reassign") {
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
  if (Array.isArray(scopes) && !mayWriteAccounts(scopes)) {
    return {
      reason: `The API key's permissions (${scopes.slice(0, 10).join(", ")}) do not include accounts:write, so it cannot remove anyone. Use a key with all permissions or with accounts:write.`,
    };
  }
  return { caller };
}

/** DocSpace's scope rule for writes to accounts: no restriction, a global write scope, or accounts:write. */
/** DocSpace's People-module administrators (EmployeeFullDto listAdminModules holds "people"). */
function isPeopleAdmin(e: Employee): boolean {
  return (e.listAdminModules ?? []).some((m) => m.toLowerCase() === "people");
}

export function mayWriteAccounts(scopes: string[]): boolean {
  return scopes.length === 0 || scopes.some((s) => s === "*" || s === "*:write" || s === "accounts:write");
}

async function successorFacts(client: DocSpaceClient, refText: string, target: Employee): Promise<{ successor: Employee } | { reason: string }> {
  const ref: AccountRef = accountRefKind(refText) === "id" ? { userId: refText } : { email: refText };
  const look = await lookUp(client, ref);
  if (!look.found) return { reason: `The successor ${refText} is not a DocSpace account at ${client.origin}. Name an active room admin or DocSpace admin.` };
  const successor = look.user;
  const wrong = identityMismatch(ref, successor);
  if (wrong) return { reason: `Refusing: asked DocSpace for the successor ${refText} and ${wrong}. Nothing was started.` };
  const who = describeAccount(successor);
  if (sameId(successor.id, target.id)) return { reason: `transferTo names the account being removed (${describeAccount(target)}); name someone else to receive the data.` };
  if (!isActive(successor)) return { reason: `The successor ${who} is not active (disabled or pending); DocSpace can only move data to an active room admin or DocSpace admin.` };
  if (!(successor.isOwner || successor.isAdmin || successor.isRoomAdmin)) {
    return { reason: `The successor ${who} is a ${employeeType(successor)}; DocSpace can only move data to a room admin or DocSpace admin.` };
  }
  return { successor };
}
