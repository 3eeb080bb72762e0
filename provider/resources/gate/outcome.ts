/**
 * "Is it finished?", decided once, for the gate, the step that follows a task, and refresh. The
 * answer comes from DocSpace's own word: for a removal, the profile's absence (its error envelope
 * on people/{id}); for a transfer that keeps the profile, its task seen Completed. DocSpace
 * showing no task is never an answer: the task may not have started, may wait in DocSpace's queue
 * (a task queued for over 60 s leaves the progress route), or may have ended and been dropped.
 * reassign/necessary is no answer either: it says whether the person owns or joins a room.
 *
 * `judgeOutcome` is the judgement, pure; `outcomeOf` adds the one read it may need (the profile,
 * read afresh). Nothing in this module writes.
 */
import type { DocSpaceClient } from "../../docspace/client";
import { boundText, DocSpaceError } from "../../docspace/errors";
import { TaskStatus, type Employee, type TaskProgress } from "../../docspace/schemas";
import type { TaskQueue } from "../../docspace/task-slots";
import { answersRef, lookUp, type AccountRef, type Lookup } from "../../docspace/account-reads";
import type { Action } from "../../entry-rules";
import { alreadyGoneRefusal, FINISHED_WITHOUT_PROOF, notProof, otherPortal, wrongAnswer } from "./reasons";

/** DocSpace's two kinds of task: remove/start, and reassign/start (with or without the profile). */
export type TaskKind = TaskQueue;

/** The task a step runs: a removal without a successor is remove/start; everything else is a reassign. */
export function taskKindOf(step: { action: Action; successor?: unknown }): TaskKind {
  return step.action === "remove" && step.successor === undefined ? "remove" : "reassign";
}

/**
 * Whether this stack saw the task start: "yes" for a step that started or adopted it (or a record
 * last seen Running); "no" for a record whose start answer was lost or whose own task ended badly;
 * "maybe" for the program's look at the whole file, which cannot see the stack's records.
 */
export type Seen = "yes" | "no" | "maybe";

export type Outcome =
  /** `task`: the finished task, when DocSpace still reported one. */
  | { kind: "done"; proof: string; task?: TaskProgress }
  | { kind: "running"; task: TaskProgress }
  /** `error`: set when the failure is this judgement's, not DocSpace's report (a task finished twice without proof). */
  | { kind: "ended"; status: "Failed" | "Canceled"; task: TaskProgress; error?: string }
  /** A transfer finished that this stack did not see start: DocSpace's report does not say who received the data. */
  | { kind: "unattributed"; task: TaskProgress }
  /** DocSpace shows no task and nothing proves the work done: not started, queued, or ended and dropped. */
  | { kind: "unseen" }
  /** DocSpace reports the task finished (Completed), yet nothing proves the work done. */
  | { kind: "not-done"; task: TaskProgress };

/** DocSpace's word on the profile, read afresh: gone (with the proof as recorded), or still there. */
export type ProfileProof = { gone: true; proof: string } | { gone: false; user: Employee };

export const isUnfinished = (t?: TaskProgress): boolean => t !== undefined && (t.status === TaskStatus.Created || t.status === TaskStatus.Running);

/**
 * What a step came to, from its task as DocSpace reports it now (undefined: no task reported) and,
 * for a removal, the profile read afresh (`needs-proof` until it is given). `finishedBefore`: the
 * same step already saw this task report Completed without proof; a second time is a failure.
 */
export function judgeOutcome(
  step: { action: Action },
  task: TaskProgress | undefined,
  seen: Seen,
  profile?: ProfileProof,
  opts: { finishedBefore?: boolean } = {},
): Outcome | { kind: "needs-proof" } {
  if (task && isUnfinished(task)) return { kind: "running", task };
  if (step.action === "transfer") {
    if (task?.status === TaskStatus.Failed) return { kind: "ended", status: "Failed", task };
    if (task?.status === TaskStatus.Canceled) return { kind: "ended", status: "Canceled", task };
    if (task === undefined) return { kind: "unseen" };
    // The program's look cannot tell whose transfer finished; the resource's own record decides.
    return seen === "no" ? { kind: "unattributed", task } : { kind: "done", proof: transferProof(task), task };
  }
  // A removal (with or without a successor) is done only when the profile is gone, whatever the
  // task says: a task that failed after deleting the profile (its notification, say) still did.
  if (!profile) return { kind: "needs-proof" };
  if (profile.gone) return { kind: "done", proof: task?.status === TaskStatus.Failed ? `${profile.proof}; DocSpace reported an error after: ${boundText(task.error, 200)}` : profile.proof, task };
  if (task?.status === TaskStatus.Failed) return { kind: "ended", status: "Failed", task };
  if (task?.status === TaskStatus.Canceled) return { kind: "ended", status: "Canceled", task };
  if (task === undefined) return { kind: "unseen" };
  // Finished twice over and still no proof: not what this step asked for.
  if (opts.finishedBefore) return { kind: "ended", status: "Failed", task, error: FINISHED_WITHOUT_PROOF };
  return { kind: "not-done", task };
}

/**
 * The status a record takes from its task as DocSpace reports it. A task's Completed is not the
 * record's: that needs DocSpace's proof (judgeOutcome), so until then the record stays Running.
 */
export function recordedStatus(task: TaskProgress): "Running" | "Failed" | "Canceled" {
  if (task.status === TaskStatus.Failed) return "Failed";
  if (task.status === TaskStatus.Canceled) return "Canceled";
  return "Running";
}

export interface StepRef {
  action: Action;
  userId: string;
}

/** judgeOutcome, with the profile read afresh when the judgement needs it. */
export async function outcomeOf(client: DocSpaceClient, step: StepRef, task: TaskProgress | undefined, seen: Seen, opts: { finishedBefore?: boolean } = {}): Promise<Outcome> {
  const first = judgeOutcome(step, task, seen, undefined, opts);
  if (first.kind !== "needs-proof") return first;
  const second = judgeOutcome(step, task, seen, await proveGone(client, step.userId), opts);
  if (second.kind === "needs-proof") throw new Error("judgeOutcome asked for the proof it was given");
  return second;
}

/** A transfer that keeps the profile is done by DocSpace's own task report: Completed, 100%. */
export function transferProof(task: TaskProgress): string {
  return `GET people/reassign/progress: task ${task.id.slice(0, 120)} status 2 (Completed), ${task.percentage}%`;
}

/** DocSpace's own word that the profile is gone: its error envelope on people/{id}, as kept in the record. */
export function goneProof(origin: string, userId: string, message: string): string {
  return `GET people/${userId} at ${origin}: 404 "${message.slice(0, 80)}"`;
}

/**
 * What a fresh people/{id} says of the profile: gone (DocSpace's error envelope), still there, or
 * no proof either way (an answer about another account, a 404 without the envelope). Pure.
 */
export function judgeProfile(origin: string, userId: string, look: Lookup): ProfileProof | { doubt: DocSpaceError } {
  if (look.found) {
    if (!answersRef({ userId }, look.user)) return { doubt: new DocSpaceError("unexpected-response", wrongAnswer({ userId }, look.user)) };
    return { gone: false, user: look.user };
  }
  if (!look.envelope) return { doubt: new DocSpaceError("unexpected-response", notProof(origin, userId, look.message)) };
  return { gone: true, proof: goneProof(origin, userId, look.message) };
}

/**
 * Whether the profile is gone, by DocSpace's own word: its error envelope on people/{id} from the
 * configured portal. Throws when the answer is no proof either way.
 */
export async function proveGone(client: DocSpaceClient, userId: string, storedPortal?: string): Promise<ProfileProof> {
  const other = storedPortal ? otherPortal(client.origin, storedPortal) : undefined;
  if (other) throw new DocSpaceError("configuration", other);
  const judged = judgeProfile(client.origin, userId, await lookUp(client, { userId }, { newRequest: true })); // proof is never an earlier answer
  if ("doubt" in judged) throw judged.doubt;
  return judged;
}

/**
 * For an entry marked `alreadyRemoved`: DocSpace's own word that no such account exists. By id:
 * its error envelope on people/{id}. By email: its error envelope on the exact lookup, and no
 * account with that address (any letter case) in its search; a search that did not answer is doubt.
 */
export async function confirmAlreadyGone(client: DocSpaceClient, ref: AccountRef): Promise<{ gone: true; proof: string } | { gone: false; reason: string }> {
  if (ref.userId !== undefined) {
    const r = await proveGone(client, ref.userId);
    return r.gone ? r : { gone: false, reason: alreadyGoneRefusal({ code: "still-there", ref, user: r.user }) };
  }
  const look = await lookUp(client, ref);
  if (look.found) return { gone: false, reason: alreadyGoneRefusal({ code: "still-there", ref, user: look.user }) };
  if (!look.envelope) return { gone: false, reason: alreadyGoneRefusal({ code: "no-envelope", ref, origin: client.origin, message: look.message }) };
  if (look.searchRefused !== undefined) return { gone: false, reason: alreadyGoneRefusal({ code: "search-refused", ref, searchRefused: look.searchRefused }) };
  return { gone: true, proof: `GET people/email?email=${ref.email} at ${client.origin}: 404 "${look.message.slice(0, 80)}"; no account with that address in people/filter` };
}
