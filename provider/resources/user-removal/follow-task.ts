/**
 * Carrying out one removal once the gate (gate/) has said "start" or "adopt": disable,
 * start, and follow the task to the portal's proof that the profile is gone, or to the step's
 * deadline. A start whose answer is lost is a start that may have happened: it is recorded as such,
 * never repeated in the same step.
 */
import type { DocSpaceClient } from "../../docspace/client";
import { boundText, isDocSpaceError, refusedBeforeActing } from "../../docspace/errors";
import { employeeType, isDisabled, type TaskProgress } from "../../docspace/schemas";
import { sleep } from "../../docspace/limiter";
import { timeLeft } from "../../docspace/deadline";
import { describeAccount, disable, nameOf } from "../../docspace/account-reads";
import type { Plan } from "../gate/decide";
import { outcomeOf, recordedStatus, taskKindOf, type Outcome, type StepRef, type TaskKind } from "../gate/outcome";
import type { RemovalTimes } from "../host/removal-times";
import { actionOfMode, DEFAULT_TIMEOUT_SECONDS, modeOf, type UserRemovalInputs, type UserRemovalState } from "./record";
import type { Action } from "../../entry-rules";

/** Thrown when the removal began (or may have) but did not finish: Pulumi records it as partially created. */
export class RemovalIncomplete extends Error {
  constructor(
    message: string,
    readonly state: UserRemovalState,
  ) {
    super(message);
    this.name = "RemovalIncomplete";
  }
}

const nowIso = (): string => new Date().toISOString();

export function progressOf(client: DocSpaceClient, kind: TaskKind, userId: string): Promise<TaskProgress | undefined> {
  return kind === "remove" ? client.removeProgress(userId) : client.reassignProgress(userId);
}

/** What the task does, for messages. */
function doing(action: Action): string {
  return action === "transfer" ? "transfer of the data" : "removal";
}

const stepOf = (plan: Plan): StepRef => ({ action: plan.action, userId: plan.target.id });

export function initialState(client: DocSpaceClient, inputs: UserRemovalInputs, plan: Plan, previous?: UserRemovalState): UserRemovalState {
  const t = plan.target;
  return {
    userId: t.id.toLowerCase(),
    email: (t.email ?? inputs.email ?? "").toLowerCase(),
    displayName: boundText(nameOf(t), 200),
    accountType: employeeType(t),
    mode: modeOf(plan),
    transferTo: inputs.transferTo,
    transferToId: plan.successor?.id.toLowerCase(),
    taskId: previous?.taskId ?? "",
    seenAt: previous?.seenAt,
    // A lost start stays Unconfirmed until DocSpace shows its task (withProgress) or proves it done.
    status: previous?.status === "Unconfirmed" ? "Unconfirmed" : "Running",
    percentage: 0,
    error: previous?.status === "Unconfirmed" ? previous.error : "",
    startedAt: previous?.startedAt ?? nowIso(),
    completedAt: undefined,
    reason: inputs.reason,
    allowAdmin: inputs.allowAdmin ?? false,
    timeoutSeconds: inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    portal: client.origin,
    actorId: plan.caller.id.toLowerCase(),
    actorEmail: plan.caller.email === undefined ? undefined : boundText(plan.caller.email.toLowerCase(), 320),
  };
}

export function withProgress(state: UserRemovalState, p: TaskProgress): UserRemovalState {
  const status = recordedStatus(p);
  return {
    ...state,
    taskId: boundText(p.id, 200),
    status,
    percentage: p.percentage,
    error: boundText(p.error ?? ""),
    completedAt: status === "Running" ? undefined : state.completedAt ?? nowIso(),
  };
}

/** Completed, with the portal's own proof that the profile is gone. */
export function completed(state: UserRemovalState, proof: string): UserRemovalState {
  return { ...state, status: "Completed", percentage: 100, error: "", seenAt: undefined, evidence: boundText(proof), completedAt: state.completedAt ?? nowIso() };
}

/**
 * The record after a look at its task: what the judgement (gate/outcome.ts) says, with the task as
 * DocSpace showed it. The one mapping, for the step that follows a task and for refresh.
 */
export function recordAfter(state: UserRemovalState, outcome: Outcome): UserRemovalState {
  switch (outcome.kind) {
    case "done":
      return completed(outcome.task ? withProgress(seen(state), outcome.task) : state, outcome.proof);
    case "running":
    case "not-done":
      return withProgress(seen(state), outcome.task);
    case "ended": {
      const next = withProgress(seen(state), outcome.task);
      return outcome.error === undefined ? next : { ...next, status: outcome.status, error: outcome.error };
    }
    case "unattributed":
    case "unseen":
      // Someone else's finished transfer is not this record's progress; and a task DocSpace does
      // not show may wait in its queue: neither changes what the record knows.
      return state;
  }
}

/** How often a task is polled (settings pollMinMs / pollMaxMs), and this host's removal times (for pacing). */
export interface RunOptions {
  pollMinMs: number;
  pollMaxMs: number;
  durations: RemovalTimes;
}

/** Disables the account if needed, starts the task, and follows it. The gate has said "start". */
export async function startAndFollow(client: DocSpaceClient, plan: Plan, state: UserRemovalState, opts: RunOptions): Promise<UserRemovalState> {
  const who = describeAccount(plan.target);
  if (!isDisabled(plan.target)) {
    const after = await disable(client, plan.target.id);
    if (!isDisabled(after)) throw new Error(`DocSpace did not disable ${who} (its status is ${after.status}); nothing was started.`);
  }
  let task: TaskProgress;
  const startedAt = Date.now();
  try {
    task = taskKindOf(plan) === "remove" ? await client.startRemove(plan.target.id) : await client.startReassign(plan.target.id, plan.successor!.id, plan.action === "remove");
  } catch (e) {
    if (refusedBeforeActing(e)) {
      if (e instanceof Error) e.message += ` (${who} was disabled first and stays disabled; nothing was ${plan.action === "transfer" ? "transferred" : "removed"}.)`;
      throw e;
    }
    // The answer was lost: DocSpace may have queued the task, where it may not show for a while.
    // Follow it like any other until the deadline; it is never started again in this step.
    const why = boundText(e instanceof Error ? e.message : String(e));
    const lost: UserRemovalState = { ...state, startedAt: nowIso(), seenAt: nowIso(), status: "Unconfirmed", error: boundText(`start answer lost: ${why}`) };
    return follow(client, plan, lost, opts);
  }
  return follow(client, plan, seen(withProgress({ ...state, startedAt: nowIso() }, task)), { ...opts, startedHere: startedAt });
}

/**
 * Follows a task the gate found for this person (adopted, not started); `task` undefined: this
 * record's own task, which DocSpace does not show now (it may wait in DocSpace's queue).
 */
export function adoptAndFollow(client: DocSpaceClient, plan: Plan, state: UserRemovalState, task: TaskProgress | undefined, opts: RunOptions): Promise<UserRemovalState> {
  return follow(client, plan, task ? seen(withProgress(state, task)) : state, opts);
}

/** DocSpace showed the task just now. */
function seen(state: UserRemovalState): UserRemovalState {
  return { ...state, seenAt: nowIso() };
}

/**
 * Polls until the portal proves the step done, the task ends badly, or the deadline passes. A
 * task DocSpace stops showing is not finished and not failed: it may wait in DocSpace's queue
 * (one task at a time per queue; one queued for over 60 s leaves the progress route).
 */
async function follow(client: DocSpaceClient, plan: Plan, first: UserRemovalState, opts: RunOptions & { startedHere?: number }): Promise<UserRemovalState> {
  const done = (s: UserRemovalState): UserRemovalState => {
    if (opts.startedHere !== undefined) opts.durations.add(Date.now() - opts.startedHere);
    return s;
  };
  const who = describeAccount(plan.target);
  const minMs = opts.pollMinMs;
  const maxMs = opts.pollMaxMs;
  const firstSeen = Date.now();
  const firstPct = first.percentage;
  let state = first;
  let shown = state.status !== "Unconfirmed"; // whether DocSpace showed the task at the last look
  let finished = false; // the task reported Completed: only the proof is left
  let expectedDoneAt = Infinity; // from the pace so far
  // First look after two poll intervals (2 s by default, as the contract suggests), or when most
  // removals here were done; then pace by the estimate.
  let wait = Math.min(maxMs, 2 * minMs);
  const predicted = opts.startedHere !== undefined ? opts.durations.predicted() : undefined;
  if (predicted !== undefined) {
    expectedDoneAt = opts.startedHere! + predicted;
    wait = Math.max(minMs / 2, expectedDoneAt - Date.now());
  }
  try {
    for (;;) {
      if (state.status === "Failed") {
        throw new RemovalIncomplete(
          `DocSpace failed to ${plan.action === "transfer" ? "transfer the data of" : plan.successor ? "transfer and remove" : "remove"} ${who}: ${state.error || "no reason given"}. The account is still there, disabled. Fix the cause in DocSpace and run \`pulumi up\` again to retry.`,
          state,
        );
      }
      if (state.status === "Canceled") {
        throw new RemovalIncomplete(`The ${doing(plan.action)} of ${who} was canceled in DocSpace. Run \`pulumi up\` again to start it again, or delete the entry.`, state);
      }
      const left = timeLeft();
      if (left <= 0) throw stillRunning(who, state, shown);
      await sleep(Math.min(wait, left));
      // When the task said it finished, or the estimate says it should have, ask for the proof first.
      if (plan.action === "remove" && (finished || Date.now() >= expectedDoneAt)) {
        const early = await outcomeOf(client, stepOf(plan), undefined, "yes");
        if (early.kind === "done") return done(recordAfter(state, early));
        expectedDoneAt = Infinity;
      }
      const task = await progressOf(client, taskKindOf(plan), plan.target.id);
      const outcome = await outcomeOf(client, stepOf(plan), task, "yes", { finishedBefore: finished });
      shown = task !== undefined;
      state = recordAfter(state, outcome);
      if (outcome.kind === "done") return done(state);
      if (outcome.kind === "unseen") {
        // Not shown: queued behind other tasks, or not started yet. Keep looking, more slowly.
        wait = Math.min(maxMs, wait * 1.5);
        continue;
      }
      if (outcome.kind === "not-done") {
        // Finished, without proof yet: ask again soon (a second time without proof is a failure).
        finished = true;
        wait = minMs;
        continue;
      }
      if (outcome.kind !== "running") continue;
      const elapsed = Date.now() - firstSeen;
      const gained = state.percentage - firstPct;
      if (gained > 0) {
        const remaining = (elapsed * (100 - state.percentage)) / gained;
        expectedDoneAt = Date.now() + remaining;
        wait = Math.min(maxMs, Math.max(minMs, remaining * 1.1 + 100));
      } else wait = Math.min(maxMs, wait * 1.5);
    }
  } catch (e) {
    if (e instanceof RemovalIncomplete) throw e;
    if (isDocSpaceError(e, "deadline")) throw stillRunning(who, state, shown);
    // The removal is (or may be) under way in DocSpace: whatever failed here, the resource must be
    // recorded so the next run follows this task instead of starting from nothing.
    throw new RemovalIncomplete(
      `The ${doing(plan.action)} of ${who} was started in DocSpace, but following it failed: ${boundText((e as Error).message, 600)} Run \`pulumi up\` again to follow it; it will not be started twice.`,
      state,
    );
  }
}

function stillRunning(who: string, state: UserRemovalState, shown: boolean): RemovalIncomplete {
  const what = doing(actionOfMode(state.mode));
  if (state.status === "Unconfirmed") {
    return new RemovalIncomplete(
      `The answer to the start of the ${what} of ${who} was lost (${state.error.replace(/^start answer lost: /, "")}), and DocSpace has not shown the task since. DocSpace may have queued it, so it is recorded as "Unconfirmed" and is not started again while it may still run. ` +
        `Run \`pulumi up\` again later: it follows the task if DocSpace shows it or the profile is gone (docs: "A task DocSpace does not show").`,
      state,
    );
  }
  const where = shown
    ? `is still running in DocSpace after ${state.timeoutSeconds} s (${state.percentage}%)`
    : `was started, and DocSpace does not show it now: it may be waiting in DocSpace's queue behind other tasks (DocSpace runs one at a time and drops a task from its progress report after 60 s in the queue)`;
  return new RemovalIncomplete(
    `The ${what} of ${who} ${where}. Nothing is wrong yet: run \`pulumi up\` (or \`pulumi refresh\`) later to follow it to the end; it will not be started twice. Raise timeoutSeconds to wait longer.`,
    state,
  );
}
