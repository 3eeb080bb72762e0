/**
 * The gate's decision, as a pure function of the facts read (facts.ts) and why it is asked (the
 * situation): refuse (with a reason code and its data), start, adopt the task under way, done with
 * DocSpace's proof, gone, or absent. No I/O and no clock: a fact not read yet is asked for
 * ({ kind: "read" }), so the reads happen in the order and number the rules need them, and a
 * refusal reads nothing more. Words are reasons.ts's.
 */
import { accountRefKind, employeeType, isActive, isDisabled, TaskStatus, type Employee, type TaskProgress } from "../../docspace/schemas";
import { answersRef, sameEmail, sameId, type AccountRef, type Lookup } from "../../docspace/account-reads";
import { isDue } from "../../clock";
import type { Action } from "../../entry-rules";
import type { RemovalStatus } from "../user-removal/record";
import { goneProof, isUnfinished, judgeOutcome, taskKindOf, type ProfileProof, type Seen } from "./outcome";
import type { Reason } from "./reasons";

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
 * `entryTransfers`: the entry's own DataTransfer runs before this step and is not finished (the
 * removal's `ownTransfer` input, or the program's look for an entry with action transfer), so a
 * transfer running now may be its own.
 */
export type Situation =
  /** A resource's check of an entry new to the stack. */
  | { kind: "preview"; previewOnly: boolean; entryTransfers: boolean }
  /**
   * The program's look at the whole file, which cannot see the stack's records. `found`: the
   * account as the look's own search found it a moment ago (docspace/account-reads.ts, lookUpAll), when it did.
   */
  | { kind: "preview-file"; previewOnly: boolean; entryTransfers: boolean; found?: Lookup }
  /** The preview of a stored, unfinished record (its diff): what resume would decide. */
  | { kind: "preview-resume"; previewOnly: boolean; stored: StoredRecord }
  /** create: a step new to the stack. */
  | { kind: "start" }
  /** update: a stored, unfinished record is carried on. */
  | { kind: "resume"; stored: StoredRecord };

/** The facts the gate reads, each at most once per assessment; absent: not read (yet). */
export interface Facts {
  /** The configured portal's origin: proofs and messages name it. */
  origin: string;
  /** The key's own account (undefined: DocSpace refused to show it) and scopes (undefined: no such route). */
  key?: { caller: Employee | undefined; scopes: string[] | undefined };
  /** The account asked for, or for a stored record the very account recorded. */
  target?: Lookup;
  /** The successor named by transferTo. */
  successor?: Lookup;
  /** The progress of both kinds of task for the target, whoever started them. */
  tasks?: { remove?: TaskProgress; reassign?: TaskProgress };
  /** people/{target} read afresh once a removal's task reports Completed: DocSpace's word whether the profile is gone. */
  profile?: ProfileProof;
}

export type FactName = "key" | "target" | "successor" | "tasks" | "profile";

export interface Plan {
  action: Action;
  target: Employee;
  successor?: Employee;
  caller: Employee;
}


export type Decision =
  /** A fact the rules need next, not read yet. */
  | { kind: "read"; fact: FactName }
  | { kind: "refuse"; property: string; reason: Reason }
  /** DocSpace itself says the account no longer exists (its error envelope on people/{id}). */
  | { kind: "gone"; proof: string }
  /** No account has the entry's email (or, in the whole-file look, its id). Not proof of removal: only an id lookup proves that. */
  | { kind: "absent"; reason: Reason }
  /**
   * `waitsFor`: the start was judged with a transfer running that is taken to be the entry's own
   * DataTransfer, which the engine finishes first; only the stack's records can confirm that.
   */
  | { kind: "start"; plan: Plan; waitsFor?: "own-transfer" }
  /** The step is done, by DocSpace's own proof (outcome.ts); `task`: the finished task, when DocSpace still reports it. */
  | { kind: "done"; plan: Plan; proof: string; task?: TaskProgress }
  /** Follow the task already under way; `task` undefined: this record's task, which DocSpace does not show now (it may wait in its queue). */
  | { kind: "adopt"; plan: Plan; task?: TaskProgress };

/** What differs between situations, derived in this one place. */
function aspectsOf(sit: Situation): { preview: boolean; readOnlyKey: boolean; stored?: StoredRecord; seen: Seen | "new"; entryTransfers: boolean; fromList: boolean } {
  const preview = sit.kind === "preview" || sit.kind === "preview-file" || sit.kind === "preview-resume";
  const stored = sit.kind === "preview-resume" || sit.kind === "resume" ? sit.stored : undefined;
  return {
    preview,
    // Only a preview-only run's previews may plan with a key that cannot write.
    readOnlyKey: preview && sit.previewOnly,
    stored,
    seen: sit.kind === "preview-file" ? "maybe" : stored === undefined ? "new" : stored.status === "Running" ? "yes" : "no",
    entryTransfers: (sit.kind === "preview" || sit.kind === "preview-file") && sit.entryTransfers,
    // The whole-file look reads people lists: an id missing there is absent, not proven gone.
    fromList: sit.kind === "preview-file",
  };
}

/** The account the gate reads as the target: the person asked for, or (for a stored record) the very account recorded. */
export function targetRef(ask: RemovalAsk, sit: Situation): AccountRef {
  return sit.kind === "preview-resume" || sit.kind === "resume" ? { userId: sit.stored.userId } : ask.account;
}

/** transferTo as a reference: an id, or an email. */
export function successorRef(named: string): AccountRef {
  return accountRefKind(named) === "id" ? { userId: named } : { email: named };
}

/** The input that names the account, for failures about it. */
const propertyOf = (ref: AccountRef): "userId" | "email" => (ref.userId !== undefined ? "userId" : "email");

/** A record made against one portal is never settled by the answers of another. */
export function isOtherPortal(origin: string, storedPortal: string): boolean {
  return storedPortal !== "" && storedPortal !== origin;
}

/** DocSpace's scope rule for writes to accounts: no restriction, a global write scope, or accounts:write. */
export function mayWriteAccounts(scopes: string[]): boolean {
  return scopes.length === 0 || scopes.some((s) => s === "*" || s === "*:write" || s === "accounts:write");
}

/** DocSpace's People-module administrators (EmployeeFullDto listAdminModules holds "people"). */
function isPeopleAdmin(e: Employee): boolean {
  return (e.listAdminModules ?? []).some((m) => m.toLowerCase() === "people");
}

const read = (fact: FactName): Decision => ({ kind: "read", fact });
const refuse = (property: string, reason: Reason): Decision => ({ kind: "refuse", property, reason });

/** Decides whether (and how) a step may go ahead, from the facts read so far. Pure. */
export function decide(ask: RemovalAsk, sit: Situation, facts: Facts): Decision {
  const aspects = aspectsOf(sit);
  const prop = propertyOf(ask.account);
  // Nobody is removed before their date, whatever the program declared.
  if (ask.action === "remove" && ask.schedule && !isDue(ask.schedule.removeAfter, ask.schedule.today)) {
    return refuse("removeAfter", { code: "not-due", account: ask.account, ...ask.schedule });
  }
  const stored = aspects.stored;
  if (stored && isOtherPortal(facts.origin, stored.portal)) return refuse(prop, { code: "other-portal", storedPortal: stored.portal, origin: facts.origin });

  // The key: whose it is, and whether it may change accounts at all.
  if (!facts.key) return read("key");
  const { caller, scopes } = facts.key;
  if (!caller) return refuse("", { code: "key-cannot-read-itself" });
  if (employeeType(caller) !== "DocSpaceAdmin") return refuse("", { code: "key-not-admin", caller });
  // A preview-only run plans with a read-only key; the rules that depend on whose key it is
  // (owner, admin, "your own account") still apply to the account it belongs to.
  if (!aspects.readOnlyKey && Array.isArray(scopes) && !mayWriteAccounts(scopes)) return refuse("", { code: "key-cannot-write", scopes });

  // The target.
  const ref = targetRef(ask, sit);
  if (!facts.target) return read("target");
  const look = facts.target;
  if (!look.found) {
    if (ref.userId !== undefined && !aspects.fromList) {
      if (!look.envelope) return refuse(prop, { code: "not-found-without-envelope", origin: facts.origin, userId: ref.userId, message: look.message });
      return { kind: "gone", proof: goneProof(facts.origin, ref.userId, look.message) };
    }
    return { kind: "absent", reason: { code: "absent", origin: facts.origin, account: ref } };
  }
  const target = look.user;
  if (!answersRef(ref, target)) return refuse(prop, { code: "answered-another", asked: ref, answered: target });
  if (stored && stored.email !== "" && !sameEmail(stored.email, target.email)) return refuse(prop, { code: "record-names-another", asked: ref, answered: target, recordedEmail: stored.email });

  // Role and status.
  const action = ask.action;
  if (target.isOwner) return refuse(prop, { code: "owner", target, action });
  if (sameId(caller.id, target.id)) return refuse(prop, { code: "self", target, action });
  if (target.isAdmin && !ask.allowAdmin) return refuse("allowAdmin", { code: "admin-not-allowed", target, action });
  if (target.isAdmin && !caller.isOwner) return refuse("allowAdmin", { code: "admin-needs-owner-key", target, caller, action });
  // reassign/start refuses a People-module administrator's data unless the owner asks (ReassignController.StartReassign).
  if (action !== "disable" && taskKindOf({ action, successor: ask.transferTo }) === "reassign" && isPeopleAdmin(target) && !caller.isOwner) {
    return refuse("transferTo", { code: "people-admin-needs-owner-key", target, caller });
  }
  if (target.isLDAP && !isDisabled(target)) return refuse(prop, { code: "ldap-active", target });
  // Disabling touches no data and no task: the rules above are all it needs.
  if (action === "disable") return { kind: "start", plan: { action: "disable", target, caller } };

  // A transfer this stack made (or may have made) is done by DocSpace's word, even if its successor
  // has left since: judged before the successor is.
  if (action === "transfer" && isDisabled(target) && (aspects.seen === "yes" || aspects.seen === "maybe")) {
    if (!facts.tasks) return read("tasks");
    if (!isUnfinished(facts.tasks.remove)) {
      const outcome = judgeOutcome({ action: "transfer" }, facts.tasks.reassign, aspects.seen);
      if (outcome.kind === "done") return { kind: "done", plan: { action: "transfer", target, caller }, proof: outcome.proof, task: facts.tasks.reassign };
    }
  }

  // The successor.
  let successor: Employee | undefined;
  if (ask.transferTo !== undefined) {
    if (!facts.successor) return read("successor");
    const judged = judgeSuccessor(ask.transferTo, facts.successor, target, facts.origin);
    if ("code" in judged) return refuse("transferTo", judged);
    successor = judged.successor;
  }

  // Tasks of either kind for this person, whoever started them. Before a start both are always
  // read, and for a stored record. A preview of a new entry reads them only for a disabled
  // account: DocSpace starts neither kind for an account that is not disabled, so an active
  // account can have a task only if it was re-enabled while one ran, and the start's reads catch that.
  const readTasks = !aspects.preview || stored !== undefined || isDisabled(target);
  if (readTasks && !facts.tasks) return read("tasks");
  const tasks = readTasks ? facts.tasks! : {};
  return decideOnTasks({ action, target, successor, caller }, ask, aspects, tasks, facts.profile);
}

function judgeSuccessor(named: string, look: Lookup, target: Employee, origin: string): { successor: Employee } | Reason {
  if (!look.found) return { code: "successor-missing", named, origin };
  const successor = look.user;
  const asked = successorRef(named);
  if (!answersRef(asked, successor)) return { code: "successor-answered-another", named, asked, answered: successor };
  if (sameId(successor.id, target.id)) return { code: "successor-is-target", target };
  if (!isActive(successor)) return { code: "successor-inactive", successor };
  if (!(successor.isOwner || successor.isAdmin || successor.isRoomAdmin)) return { code: "successor-not-admin", successor };
  return { successor };
}

function decideOnTasks(plan: Plan, ask: RemovalAsk, aspects: ReturnType<typeof aspectsOf>, tasks: { remove?: TaskProgress; reassign?: TaskProgress }, profile: ProfileProof | undefined): Decision {
  const target = plan.target;
  const prop = propertyOf(ask.account);
  const kind = taskKindOf(plan);
  const { remove: removeTask, reassign: reassignTask } = tasks;
  if (isUnfinished(removeTask) && isUnfinished(reassignTask)) return refuse(prop, { code: "both-tasks-running", target });
  if (isUnfinished(removeTask)) {
    if (kind === "remove") return { kind: "adopt", plan, task: removeTask! };
    return refuse("transferTo", { code: "removal-running", target, percentage: removeTask!.percentage, transferTo: ask.transferTo });
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
    return refuse(plan.successor ? "transferTo" : prop, {
      code: "transfer-running",
      target,
      percentage: reassignTask!.percentage,
      ownRecordRedirected: stored !== undefined && stored.transferToId !== undefined,
      action: plan.action,
    });
  }

  // Nothing under way that DocSpace shows. This record's own task may still wait in DocSpace's
  // queue, where DocSpace does not show it: follow it, never start a second one beside it.
  const own = kind === "remove" ? removeTask : reassignTask;
  if (aspects.stored?.taskMayWait && own === undefined) return { kind: "adopt", plan };
  // A finished task of this step's kind may be this very step, done.
  if (own?.status === TaskStatus.Completed && !(plan.action === "transfer" && aspects.seen === "new")) {
    const seen: Seen = aspects.seen === "new" ? "no" : aspects.seen;
    const outcome = judgeOutcome({ action: plan.action }, own, seen, profile);
    if (outcome.kind === "needs-proof") return read("profile");
    if (outcome.kind === "done") return { kind: "done", plan, proof: outcome.proof, task: own };
    if (outcome.kind === "unattributed") {
      return refuse("transferTo", { code: "finished-transfer-unattributed", target, recordStatus: aspects.stored?.status ?? "new", successor: plan.successor });
    }
    if (kind === "remove") return refuse(prop, { code: "finished-removal-account-exists", target });
    // A finished reassign and the profile still there: a transfer that kept it, not this removal.
  }
  if (removeTask?.status === TaskStatus.Completed && kind === "reassign") return refuse(prop, { code: "finished-removal-not-transfer", target, transferTo: ask.transferTo });
  return { kind: "start", plan };
}
