/**
 * Carrying out one removal once the gate (evidence.ts) has said "start" or "adopt": disable,
 * start, and follow the task to the portal's proof that the profile is gone, or to the step's
 * deadline. A start whose answer is lost is a start that may have happened: it is recorded as such,
 * never repeated in the same step.
 */
import type { DocSpaceClient } from "../docspace/client";
import { boundText, isDocSpaceError, refusedBeforeActing } from "../docspace/errors";
import { employeeType, isDisabled, TaskStatus, type TaskProgress } from "../docspace/schemas";
import { sleep } from "../docspace/limiter";
import { timeLeft } from "../docspace/deadline";
import { describeAccount, disable, nameOf } from "./accounts";
import type { Plan } from "./evidence";
import { notDoneReason, outcomeOf, taskKindOf, type StepRef, type TaskKind } from "./outcome";
import { actionOfMode, DEFAULT_TIMEOUT_SECONDS, modeOf, type RemovalStatus, type UserRemovalInputs, type UserRemovalState } from "./user-removal-model";
import type { Action } from "../entry-rules";

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

const stepOf = (plan: Plan): StepRef => ({ action: plan.action, userId: plan.target.id, accountType: employeeType(plan.target) });

function statusOf(p: TaskProgress): RemovalStatus {
  if (p.status === TaskStatus.Completed) return "Running"; // finished, but "Completed" needs the profile gone
  if (p.status === TaskStatus.Failed) return "Failed";
  if (p.status === TaskStatus.Canceled) return "Canceled";
  return "Running";
}

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
    status: "Running",
    percentage: 0,
    error: "",
    startedAt: previous?.startedAt ?? nowIso(),
    completedAt: undefined,
    reason: inputs.reason,
    allowAdmin: inputs.allowAdmin ?? false,
    timeoutSeconds: inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    portal: client.origin,
  };
}

export function withProgress(state: UserRemovalState, p: TaskProgress): UserRemovalState {
  const status = statusOf(p);
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
  return { ...state, status: "Completed", percentage: 100, error: "", evidence: boundText(proof), completedAt: state.completedAt ?? nowIso() };
}

export interface RunOptions {
  pollMinMs?: number;
  pollMaxMs?: number;
}

/** Disables the account if needed, starts the task, and follows it. The gate has said "start". */
export async function startAndFollow(client: DocSpaceClient, plan: Plan, state: UserRemovalState, opts: RunOptions = {}): Promise<UserRemovalState> {
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
    return settleLostStart(client, plan, state, e, opts);
  }
  return follow(client, plan, withProgress({ ...state, startedAt: nowIso() }, task), { ...opts, startedHere: startedAt });
}

/** Follows a task the gate found already running for this person (adopted, not started). */
export function adoptAndFollow(client: DocSpaceClient, plan: Plan, state: UserRemovalState, task: TaskProgress, opts: RunOptions = {}): Promise<UserRemovalState> {
  return follow(client, plan, withProgress(state, task), opts);
}

/**
 * The start's answer was lost. DocSpace may have started it: look for the task for a short while;
 * if it does not show, record "may have started" and leave it to the next run, which reads the
 * progress routes again before anything else.
 */
async function settleLostStart(client: DocSpaceClient, plan: Plan, state: UserRemovalState, cause: unknown, opts: RunOptions): Promise<UserRemovalState> {
  const who = describeAccount(plan.target);
  const why = boundText(cause instanceof Error ? cause.message : String(cause));
  const settleUntil = Date.now() + Math.min(10_000, Math.max(0, timeLeft() - 500));
  for (;;) {
    try {
      // A task that shows up now is taken as this start's (it appeared right after it).
      const seen = await progressOf(client, taskKindOf(plan), plan.target.id);
      if (seen) return follow(client, plan, withProgress({ ...state, startedAt: nowIso() }, seen), opts);
      const outcome = await outcomeOf(client, stepOf(plan), undefined, "no");
      if (outcome.kind === "done") return completed(state, outcome.proof);
    } catch (e) {
      if (!isDocSpaceError(e)) throw e;
    }
    if (Date.now() + 1000 > settleUntil) break;
    await sleep(1000);
  }
  throw new RemovalIncomplete(
    `The answer to the start of the ${doing(plan.action)} of ${who} was lost (${why}). DocSpace may have started it, so it is recorded as "Unconfirmed" and is not started again in this run. ` +
      `Run \`pulumi up\` again: it reads DocSpace's progress first and follows the task if there is one.`,
    { ...state, status: "Unconfirmed", error: boundText(`start answer lost: ${why}`) },
  );
}

/** How long the removals this process started took, from start to proof (most recent last). */
const durations: number[] = [];

/**
 * When most removals started here were done (the 90th percentile), once there are a few to go by:
 * the first look then asks for the proof directly, which usually ends the wait in one request.
 */
function predictedDuration(): number | undefined {
  if (durations.length < 5) return undefined;
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length * 0.9)];
}

/** Polls until the portal proves the profile gone, the task fails, or the deadline passes. */
async function follow(client: DocSpaceClient, plan: Plan, first: UserRemovalState, opts: RunOptions & { startedHere?: number } = {}): Promise<UserRemovalState> {
  const done = (s: UserRemovalState, proof: string): UserRemovalState => {
    if (opts.startedHere !== undefined) {
      durations.push(Date.now() - opts.startedHere);
      if (durations.length > 200) durations.shift();
    }
    return completed(s, proof);
  };
  const who = describeAccount(plan.target);
  const minMs = opts.pollMinMs ?? envMs("DOCSPACE_POLL_MIN_MS", 1000);
  const maxMs = opts.pollMaxMs ?? envMs("DOCSPACE_POLL_MAX_MS", 10_000);
  const firstSeen = Date.now();
  const firstPct = first.percentage;
  let state = first;
  let finished = false; // the task reported Completed: only the profile's absence is left to prove
  let expectedDoneAt = Infinity; // from the pace so far
  // First look after two poll intervals (2 s by default, as the contract suggests), or when most
  // removals here were done; then pace by the estimate.
  let wait = Math.min(maxMs, 2 * minMs);
  const predicted = opts.startedHere !== undefined ? predictedDuration() : undefined;
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
      if (left <= 0) throw stillRunning(who, state);
      await sleep(Math.min(wait, left));
      // When the task said it finished, or the estimate says it should have, ask for the proof first.
      if (plan.action === "remove" && (finished || Date.now() >= expectedDoneAt)) {
        const early = await outcomeOf(client, stepOf(plan), undefined, "yes");
        if (early.kind === "done") return done(state, early.proof);
        expectedDoneAt = Infinity;
      }
      const task = await progressOf(client, taskKindOf(plan), plan.target.id);
      if (!task || task.status === TaskStatus.Completed) {
        // The task finished, expired, or vanished: DocSpace's proof decides (outcome.ts).
        const outcome = await outcomeOf(client, stepOf(plan), task, "yes");
        if (outcome.kind === "done") return done(task ? withProgress(state, task) : state, outcome.proof);
        if (!task || finished) {
          // Gone from the report, or finished twice over, and still not done: not what this step asked for.
          state = { ...state, status: "Failed", error: task ? "DocSpace reports the task finished, but the account still exists." : notDoneReason(plan.action) };
          continue;
        }
        state = withProgress(state, task);
        finished = true;
        wait = minMs;
        continue;
      }
      state = withProgress(state, task);
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
    if (isDocSpaceError(e, "deadline")) throw stillRunning(who, state);
    // The removal is under way in DocSpace: whatever failed here, the resource must be recorded so
    // the next run follows this task instead of starting from nothing.
    throw new RemovalIncomplete(
      `The ${doing(plan.action)} of ${who} was started in DocSpace, but following it failed: ${boundText((e as Error).message, 600)} Run \`pulumi up\` again to follow it; it will not be started twice.`,
      state,
    );
  }
}

function stillRunning(who: string, state: UserRemovalState): RemovalIncomplete {
  return new RemovalIncomplete(
    `The ${doing(actionOfMode(state.mode))} of ${who} is still running in DocSpace after ${state.timeoutSeconds} s (${state.percentage}%). Nothing is wrong yet: run \`pulumi up\` (or \`pulumi refresh\`) later to follow it to the end; it will not be started twice. Raise timeoutSeconds to wait longer.`,
    state,
  );
}

/** Poll pacing can be tuned (or shortened for tests) with DOCSPACE_POLL_MIN_MS / DOCSPACE_POLL_MAX_MS. */
function envMs(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
