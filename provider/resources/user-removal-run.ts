/**
 * Carrying out one removal: disable, start (or adopt), follow progress to the end or a deadline.
 * The irreversible step is the start; it is never repeated without first looking at what DocSpace
 * already has.
 */
import type { DocSpaceClient } from "../docspace/client";
import { isDocSpaceError, outcomeUnknown } from "../docspace/errors";
import { employeeType, isDisabled, TaskStatus, type Employee, type TaskProgress } from "../docspace/schemas";
import { sleep } from "../docspace/limiter";
import { describeAccount, findAccount, forgetAccount } from "./accounts";
import { DEFAULT_TIMEOUT_SECONDS, type RemovalStatus, type UserRemovalInputs, type UserRemovalState } from "./user-removal-model";

export type Mode = "remove" | "transfer";

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

export interface RunContext {
  client: DocSpaceClient;
  inputs: UserRemovalInputs;
  target: Employee;
  successor?: Employee;
  /** State from a previous run of this resource, when resuming. */
  previous?: UserRemovalState;
  /** Poll timing; tests shorten it. */
  pollMinMs?: number;
  pollMaxMs?: number;
}

const nowIso = (): string => new Date().toISOString();

function progressOf(client: DocSpaceClient, mode: Mode, userId: string): Promise<TaskProgress | undefined> {
  return mode === "transfer" ? client.reassignProgress(userId) : client.removeProgress(userId);
}

function statusOf(p: TaskProgress): RemovalStatus {
  if (p.status === TaskStatus.Completed) return "Completed";
  if (p.status === TaskStatus.Failed) return "Failed";
  if (p.status === TaskStatus.Canceled) return "Canceled";
  return "Running";
}

export function baseState(ctx: RunContext, mode: Mode): UserRemovalState {
  const t = ctx.target;
  return {
    userId: t.id.toLowerCase(),
    email: (t.email ?? ctx.inputs.email ?? "").toLowerCase(),
    displayName: t.displayName || [t.firstName, t.lastName].filter(Boolean).join(" "),
    accountType: employeeType(t),
    mode,
    transferTo: ctx.inputs.transferTo,
    transferToId: ctx.successor?.id.toLowerCase(),
    taskId: ctx.previous?.taskId ?? "",
    status: "Running",
    percentage: 0,
    error: "",
    startedAt: ctx.previous?.startedAt ?? nowIso(),
    completedAt: undefined,
    reason: ctx.inputs.reason,
    allowAdmin: ctx.inputs.allowAdmin ?? false,
    timeoutSeconds: ctx.inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    portal: ctx.client.origin,
  };
}

export function withProgress(state: UserRemovalState, p: TaskProgress): UserRemovalState {
  const status = statusOf(p);
  return {
    ...state,
    taskId: p.id,
    status,
    percentage: status === "Completed" ? 100 : p.percentage,
    error: p.error ?? "",
    completedAt: status === "Running" ? undefined : state.completedAt ?? nowIso(),
  };
}

export function completed(state: UserRemovalState, note = ""): UserRemovalState {
  return { ...state, status: "Completed", percentage: 100, error: note, completedAt: state.completedAt ?? nowIso() };
}

/** Disable, start (or adopt) and follow one removal. Resolves with the completed state. */
export async function runRemoval(ctx: RunContext): Promise<UserRemovalState> {
  const { client } = ctx;
  const mode: Mode = ctx.inputs.transferTo !== undefined ? "transfer" : "remove";
  let state = baseState(ctx, mode);
  const deadline = Date.now() + state.timeoutSeconds * 1000;
  const who = describeAccount(ctx.target);
  let target = ctx.target;

  let task: TaskProgress | undefined;
  // A task can only exist for a disabled account (both starts require it), so look only then.
  if (isDisabled(target)) {
    task = await progressOf(client, mode, target.id);
    if (task && task.status === TaskStatus.Completed) return completed(withProgress(state, task));
    if (task && task.status !== TaskStatus.Running && task.status !== TaskStatus.Created) task = undefined; // failed or canceled: start anew
  }

  if (!task) {
    try {
      task = await startOnce(ctx, mode, target);
    } catch (e) {
      if (isDocSpaceError(e, "precondition") && isDisabled(target)) {
        // Our view of the account was stale (re-enabled since?): look again, then try once more.
        forgetAccount(client, target);
        const fresh = await findAccount(client, { userId: target.id }, { fresh: true });
        if (!fresh) return confirmGone(ctx, state, mode);
        target = fresh;
        task = await startOnce({ ...ctx, target }, mode, target);
      } else if (isDocSpaceError(e, "not-found")) {
        // remove/start's 400 "not found": someone removed the account meanwhile.
        return confirmGone(ctx, state, mode);
      } else throw e;
    }
  }
  if (!task) return confirmGone(ctx, state, mode);
  state = withProgress(state, task);
  try {
    return await follow(ctx, state, mode, deadline, who);
  } catch (e) {
    if (e instanceof RemovalIncomplete) throw e;
    // The removal is under way in DocSpace: whatever failed here, the resource must be recorded so
    // the next run follows this task instead of starting from nothing.
    throw new RemovalIncomplete(
      `The removal of ${who} was started in DocSpace, but following it failed: ${(e as Error).message} Run \`pulumi up\` again to follow it; it will not be started twice.`,
      state,
    );
  }
}

/** Disable if needed, then start; a lost answer is resolved by looking, never by starting blindly. */
async function startOnce(ctx: RunContext, mode: Mode, target: Employee): Promise<TaskProgress | undefined> {
  const { client } = ctx;
  if (!isDisabled(target)) {
    try {
      await client.setStatus([target.id], 2);
    } catch (e) {
      // 403 for an unknown id: the account may have gone since we looked.
      if (isDocSpaceError(e, "forbidden") && !(await findAccount(client, { userId: target.id }, { fresh: true }))) return undefined;
      throw e;
    }
    forgetAccount(client, target);
  }
  const start = (): Promise<TaskProgress> =>
    mode === "transfer" ? client.startReassign(target.id, ctx.successor!.id, true) : client.startRemove(target.id);
  try {
    return await start();
  } catch (e) {
    if (!outcomeUnknown(e)) {
      if (e instanceof Error && !isDisabled(target)) e.message += " (The account was disabled first and stays disabled; nothing was removed.)";
      throw e;
    }
    // The answer was lost: DocSpace may have started it. Look before doing anything else.
    const seen = await progressOf(client, mode, target.id);
    if (seen) return seen;
    if (!(await findAccount(client, { userId: target.id }, { fresh: true }))) return undefined;
    // No task and the account is still there: the start did not happen, so starting is not a repeat.
    return await start();
  }
}

/** The task is gone (or never visible): the account's absence is the proof of removal. */
async function confirmGone(ctx: RunContext, state: UserRemovalState, mode: Mode): Promise<UserRemovalState> {
  const { client } = ctx;
  const task = await progressOf(client, mode, ctx.target.id);
  if (task && task.status === TaskStatus.Completed) return completed(withProgress(state, task));
  const still = await findAccount(client, { userId: ctx.target.id }, { fresh: true });
  if (!still) return completed(state);
  const failed: UserRemovalState = { ...state, status: "Failed", error: "DocSpace reports no task for this account and the account still exists." };
  throw new RemovalIncomplete(
    `The removal of ${describeAccount(ctx.target)} did not complete: DocSpace reports no task and the account still exists (disabled). Run \`pulumi up\` again to start it again.`,
    failed,
  );
}

/** Polls until the task ends or the deadline passes, with fewer polls as the estimate firms up. */
async function follow(ctx: RunContext, state: UserRemovalState, mode: Mode, deadline: number, who: string): Promise<UserRemovalState> {
  const { client } = ctx;
  const minMs = ctx.pollMinMs ?? envMs("DOCSPACE_POLL_MIN_MS", 1000);
  const maxMs = ctx.pollMaxMs ?? envMs("DOCSPACE_POLL_MAX_MS", 10_000);
  const firstSeen = Date.now();
  const firstPct = state.percentage;
  // First look after two poll intervals (2 s by default, as the contract suggests), then pace by the estimate.
  let wait = Math.min(maxMs, 2 * minMs);
  for (;;) {
    if (state.status === "Completed") return state;
    if (state.status === "Failed") {
      throw new RemovalIncomplete(
        `DocSpace failed to ${mode === "transfer" ? "transfer and remove" : "remove"} ${who}: ${state.error || "no reason given"}. The account is still there, disabled. Fix the cause in DocSpace and run \`pulumi up\` again to retry.`,
        state,
      );
    }
    if (state.status === "Canceled") {
      throw new RemovalIncomplete(`The removal of ${who} was canceled in DocSpace. Run \`pulumi up\` again to start it again, or delete the entry.`, state);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new RemovalIncomplete(
        `The removal of ${who} is still running in DocSpace after ${state.timeoutSeconds} s (${state.percentage}%). Nothing is wrong yet: run \`pulumi up\` (or \`pulumi refresh\`) later to follow it to the end; it will not be started twice. Raise timeoutSeconds to wait longer.`,
        state,
      );
    }
    await sleep(Math.min(wait, left));
    let task: TaskProgress | undefined;
    try {
      task = await progressOf(client, mode, ctx.target.id);
    } catch (e) {
      if (outcomeUnknown(e) || isDocSpaceError(e, "rate-limited")) continue; // already retried; keep following until the deadline
      throw e;
    }
    if (!task) return confirmGone(ctx, state, mode);
    state = withProgress(state, task);
    // Estimate the end from the pace so far and poll near it.
    const elapsed = Date.now() - firstSeen;
    const gained = state.percentage - firstPct;
    if (gained > 0) {
      const remaining = (elapsed * (100 - state.percentage)) / gained;
      wait = Math.min(maxMs, Math.max(minMs, remaining * 1.1 + 100));
    } else wait = Math.min(maxMs, wait * 1.5);
  }
}

/** Poll pacing can be tuned (or shortened for tests) with DOCSPACE_POLL_MIN_MS / DOCSPACE_POLL_MAX_MS. */
function envMs(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

