/**
 * "Is it finished?", decided once, for the gate, the step that follows a task, and refresh. The
 * answer comes from DocSpace's own word: for a removal, the profile's absence (its error envelope
 * on people/{id}); for a transfer that keeps the profile, its task seen Completed. DocSpace
 * showing no task is never an answer: the task may not have started, may wait in DocSpace's queue
 * (a task queued for over 60 s leaves the progress route), or may have ended and been dropped.
 * reassign/necessary is no answer either: it says whether the person owns or joins a room.
 * Nothing in this module writes.
 */
import type { DocSpaceClient } from "../../docspace/client";
import { boundText, DocSpaceError } from "../../docspace/errors";
import { TaskStatus, type Employee, type TaskProgress } from "../../docspace/schemas";
import type { TaskQueue } from "../../docspace/task-slots";
import { identityMismatch, lookUp, type AccountRef, describeAccount } from "../accounts";
import type { Action } from "../../entry-rules";

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
  | { kind: "done"; proof: string }
  | { kind: "running"; task: TaskProgress }
  | { kind: "ended"; status: "Failed" | "Canceled"; task: TaskProgress }
  /** A transfer finished that this stack did not see start: DocSpace's report does not say who received the data. */
  | { kind: "unattributed"; task: TaskProgress }
  /** DocSpace shows no task and nothing proves the work done: not started, queued, or ended and dropped. */
  | { kind: "unseen" }
  /** DocSpace reports the task finished (Completed), yet nothing proves the work done. */
  | { kind: "not-done"; task: TaskProgress };

export const isUnfinished = (t?: TaskProgress): boolean => t !== undefined && (t.status === TaskStatus.Created || t.status === TaskStatus.Running);

export interface StepRef {
  action: Action;
  userId: string;
}

/** What a step came to, from its task as DocSpace reports it now (undefined: no task reported). */
export async function outcomeOf(client: DocSpaceClient, step: StepRef, task: TaskProgress | undefined, seen: Seen): Promise<Outcome> {
  if (task && isUnfinished(task)) return { kind: "running", task };
  if (step.action === "transfer") {
    if (task?.status === TaskStatus.Failed) return { kind: "ended", status: "Failed", task };
    if (task?.status === TaskStatus.Canceled) return { kind: "ended", status: "Canceled", task };
    if (task === undefined) return { kind: "unseen" };
    // The program's look cannot tell whose transfer finished; the resource's own record decides.
    return seen === "no" ? { kind: "unattributed", task } : { kind: "done", proof: transferProof(task) };
  }
  // A removal (with or without a successor) is done only when the profile is gone, whatever the
  // task says: a task that failed after deleting the profile (its notification, say) still did.
  const gone = await proveGone(client, step.userId);
  if (gone.gone) return { kind: "done", proof: task?.status === TaskStatus.Failed ? `${gone.proof}; DocSpace reported an error after: ${boundText(task.error, 200)}` : gone.proof };
  if (task?.status === TaskStatus.Failed) return { kind: "ended", status: "Failed", task };
  if (task?.status === TaskStatus.Canceled) return { kind: "ended", status: "Canceled", task };
  return task === undefined ? { kind: "unseen" } : { kind: "not-done", task };
}

/** A transfer that keeps the profile is done by DocSpace's own task report: Completed, 100%. */
export function transferProof(task: TaskProgress): string {
  return `GET people/reassign/progress: task ${task.id.slice(0, 120)} status 2 (Completed), ${task.percentage}%`;
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
 * account with that address (any letter case) in its search; a search that did not answer is doubt.
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
  if (look.searchRefused !== undefined) {
    return {
      gone: false,
      reason:
        `alreadyRemoved is set, but DocSpace refused the search that finds ${ref.email} whatever its letter case (GET people/filter: ${look.searchRefused}), and its exact lookup heeds letter case on some portals (PostgreSQL), so nothing proves the account gone. ` +
        `Name the account by id (userId) instead, or run with a key that may search people (accounts:read).`,
    };
  }
  return { gone: true, proof: `GET people/email?email=${ref.email} at ${client.origin}: 404 "${look.message.slice(0, 80)}"; no account with that address in people/filter` };
}

/** DocSpace's own word that the profile is gone: its error envelope on people/{id}, as kept in the record. */
export function goneProof(client: DocSpaceClient, userId: string, message: string): string {
  return `GET people/${userId} at ${client.origin}: 404 "${message.slice(0, 80)}"`;
}

export function notProof(client: DocSpaceClient, userId: string, message: string): string {
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
