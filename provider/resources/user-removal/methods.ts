/**
 * UserRemoval's (and DataTransfer's) provider methods. Every decision about the portal is the
 * gate's (../gate/); these turn its verdicts into check failures, records and partial records.
 * Check and diff share the skeleton in ../step/check-diff.ts. Each method is given the host's
 * context (../host/context.ts). The dispatch calls them; state written by earlier versions calls
 * the exported names at the end, by their old subpath: keep those names and signatures.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { DocSpaceError } from "../../docspace/errors";
import { withDeadline } from "../../docspace/deadline";
import type { DocSpaceClient } from "../../docspace/client";
import { freshHostContext, hostContext, providerMethods, type HostContext, type ProviderMethods } from "../host/context";
import { assess, type RemovalAsk, type StoredRecord, type Verdict } from "../gate/assess";
import { confirmAlreadyGone, outcomeOf, taskKindOf } from "../gate/outcome";
import { absentAtStart, goneAtStart, otherPortal, refusedStep } from "../gate/reasons";
import { adoptAndFollow, completed, initialState, progressOf, recordAfter, RemovalIncomplete, startAndFollow } from "./follow-task";
import { actionOfMode, DEFAULT_TIMEOUT_SECONDS, parseState, storedState, taskMayWait, userRemovalInputsSchema, type UserRemovalInputs, type UserRemovalState } from "./record";
import { exceedsRunLimit } from "../../offboarding/cross-entry";
import { ownTransferRuns, parseStepInputs, portalFailure, type Props } from "../step/pulumi-props";
import { accountLabel, accountProperty, accountRefOf, crossEntryFailures, lookAhead, stepMethods, type StepKind } from "../step/check-diff";

function askOf(ctx: HostContext, inputs: UserRemovalInputs): RemovalAsk {
  return {
    account: accountRefOf(inputs),
    action: inputs.keepProfile ? "transfer" : "remove",
    transferTo: inputs.transferTo,
    allowAdmin: inputs.allowAdmin ?? false,
    schedule: inputs.removeAfter !== undefined && !inputs.keepProfile ? { removeAfter: inputs.removeAfter, today: ctx.settings.scheduleDay() } : undefined,
  };
}

/** A stored record, as the gate knows it; `now` decides whether its task may still wait in DocSpace's queue. */
function storedRecord(ctx: HostContext, state: UserRemovalState, now: number): StoredRecord {
  return {
    userId: state.userId,
    email: state.email,
    portal: state.portal,
    action: actionOfMode(state.mode),
    transferToId: state.transferToId,
    status: state.status,
    taskMayWait: taskMayWait(state, now, ctx.settings.unseenTaskHoldMs()),
  };
}

/** What a step of this entry does, for messages: "remove", or "transfer the data of" for a DataTransfer. */
function verbOf(inputs: UserRemovalInputs): string {
  return inputs.keepProfile ? "transfer the data of" : "remove";
}

/** The gate's refusal of this entry's step, as the error create, update and preview throw: nothing was sent. */
function refused(inputs: UserRemovalInputs, failures: readonly dynamic.CheckFailure[]): DocSpaceError {
  return new DocSpaceError("precondition", refusedStep(verbOf(inputs), accountLabel(inputs), failures.map((f) => f.reason).join(" ")), { notSent: true });
}

// ---- check ---------------------------------------------------------------------------------

/** The guard against a mass removal from a typo or a bad merge: counts only removals that would newly start. */
function guardNewRemoval(ctx: HostContext, inputs: UserRemovalInputs, id: string): dynamic.CheckFailure | undefined {
  const limit = ctx.settings.maxRemovalsPerRun();
  const count = ctx.run.countNewRemoval(id);
  if (!exceedsRunLimit(count, limit)) return undefined;
  return {
    property: accountProperty(inputs),
    reason:
      `Refusing to start more than ${limit} removals in one run (docspace:maxRemovalsPerRun): ${accountLabel(inputs)} would be number ${count}. Nothing has been removed by this check. ` +
      // This check sees only the removals checked so far, not the run's total: `pulumi preview` names that number.
      `If so many removals are intended, run \`pulumi preview\` to see how many would start and raise docspace:maxRemovalsPerRun (or DOCSPACE_MAX_REMOVALS_PER_RUN) to that, or apply the file in smaller steps.`,
  };
}

/**
 * A new entry: an alreadyRemoved one needs DocSpace's word that the account is gone; any other is
 * looked at as apply would (step/check-diff.ts), then held to this run's rules and the per-run
 * guard. Whether the entry's own transfer runs first is its `ownTransfer` input, never this run's memory.
 */
async function checkNew(ctx: HostContext, inputs: UserRemovalInputs, news: Props): Promise<dynamic.CheckFailure[]> {
  if (inputs.alreadyRemoved) {
    try {
      const confirmed = await confirmAlreadyGone(ctx.settings.portalClient(), accountRefOf(inputs));
      return confirmed.gone ? [] : [{ property: "alreadyRemoved", reason: confirmed.reason }];
    } catch (e) {
      return [portalFailure(e, "alreadyRemoved")];
    }
  }
  const look = await lookAhead(ctx, askOf(ctx, inputs), inputs, news, { entryTransfers: !inputs.keepProfile && ownTransferRuns(news), successorNamed: true });
  if ("failures" in look) return look.failures;
  const failures = crossEntryFailures(ctx, inputs, look.planned);
  if (failures.length > 0 || !look.planned.starts || inputs.keepProfile) return failures;
  try {
    const guard = guardNewRemoval(ctx, inputs, look.planned.account);
    return guard ? [guard] : [];
  } catch (e) {
    return [portalFailure(e, accountProperty(inputs))]; // a bad docspace:maxRemovalsPerRun: a failure naming the setting
  }
}

// ---- create / update -----------------------------------------------------------------------

/**
 * Runs a step in its turn: it first takes its DocSpace queue's slot (task-slots.ts), so the run
 * never has more tasks of one queue at the portal than DocSpace runs, and none of them waits in
 * DocSpace's queue. timeoutSeconds counts from the turn: an entry waiting for its turn has not
 * started, so it cannot time out; every wait after it, the gate's reads included, counts.
 */
function inTurn<T>(client: DocSpaceClient, inputs: UserRemovalInputs, fn: () => Promise<T>): Promise<T> {
  const queue = taskKindOf({ action: inputs.keepProfile ? "transfer" : "remove", successor: inputs.transferTo });
  return client.taskSlots.hold(queue, () => withDeadline(Date.now() + (inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000, fn));
}

async function createIn(ctx: HostContext, props: Props): Promise<dynamic.CreateResult> {
  const inputs = parseInputs(props);
  ctx.settings.refuseIfPreviewOnly(`${verbOf(inputs)} ${accountLabel(inputs)}`, "Nothing was started.");
  const client = ctx.settings.portalClient();
  if (inputs.alreadyRemoved) return recordAlreadyRemoved(client, inputs);
  const state = await inTurn(client, inputs, async () => {
    const verdict = await assess(client, askOf(ctx, inputs), { kind: "start" });
    return carryOut(ctx, client, inputs, verdict, props, undefined);
  });
  return { id: state.userId, outs: storedState(state) };
}

/** An entry marked alreadyRemoved: recorded as Completed with DocSpace's word that the account is gone; nothing is started. */
async function recordAlreadyRemoved(client: DocSpaceClient, inputs: UserRemovalInputs): Promise<dynamic.CreateResult> {
  const account = accountRefOf(inputs);
  const confirmed = await confirmAlreadyGone(client, account);
  if (!confirmed.gone) throw new DocSpaceError("precondition", `Refusing to record ${accountLabel(inputs)} as removed: ${confirmed.reason}`, { notSent: true });
  const now = new Date().toISOString();
  const state: UserRemovalState = {
    userId: account.userId ?? "",
    email: account.email ?? "",
    displayName: "",
    accountType: "",
    mode: "recorded",
    taskId: "",
    status: "Completed",
    percentage: 100,
    error: "",
    startedAt: now,
    completedAt: now,
    reason: inputs.reason,
    allowAdmin: inputs.allowAdmin ?? false,
    timeoutSeconds: inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    portal: client.origin,
    evidence: confirmed.proof,
  };
  return { id: account.userId ?? `recorded:${account.email}`, outs: storedState(state) };
}

async function updateIn(ctx: HostContext, _id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const state = parseState(olds);
  const inputs = parseInputs(news);
  if (state.status === "Completed") {
    return { outs: storedState({ ...state, reason: inputs.reason }) }; // the audit record only; nothing to ask DocSpace
  }
  ctx.settings.refuseIfPreviewOnly(`${verbOf(inputs)} ${accountLabel(inputs)}`, "Nothing was started.");
  const client = ctx.settings.portalClient();
  const next = await inTurn(client, inputs, async () => {
    const verdict = await assess(client, askOf(ctx, inputs), { kind: "resume", stored: storedRecord(ctx, state, Date.now()) });
    return carryOut(ctx, client, inputs, verdict, news, state);
  });
  return { outs: storedState(next) };
}

/** Acts on the gate's verdict. A step that began but did not finish is recorded as partially created. */
async function carryOut(ctx: HostContext, client: DocSpaceClient, inputs: UserRemovalInputs, verdict: Verdict, props: Props, previous: UserRemovalState | undefined): Promise<UserRemovalState> {
  const name = accountLabel(inputs);
  switch (verdict.kind) {
    case "refuse":
      throw refused(inputs, verdict.failures);
    case "absent":
      throw new DocSpaceError("not-found", absentAtStart(name, verdict.reason), { notSent: true });
    case "gone":
      if (!previous) throw new DocSpaceError("not-found", goneAtStart(name, verdict.proof), { notSent: true });
      return completed({ ...previous, reason: inputs.reason }, verdict.proof);
    case "done": {
      const state = initialState(client, inputs, verdict.plan, previous);
      return recordAfter(state, { kind: "done", proof: verdict.proof, task: verdict.task });
    }
    case "adopt":
    case "start": {
      const state = initialState(client, inputs, verdict.plan, previous);
      try {
        const pacing = { ...ctx.settings.pollPacing(), durations: ctx.durations };
        return verdict.kind === "adopt" ? await adoptAndFollow(client, verdict.plan, state, verdict.task, pacing) : await startAndFollow(client, verdict.plan, state, pacing);
      } catch (e) {
        if (e instanceof RemovalIncomplete) throw partial(e, props);
        throw e;
      }
    }
  }
}

/**
 * `id` + `properties` make the engine record the resource as partially created, so the next
 * `pulumi up` resumes it through `update` instead of starting again. __provider must be kept by
 * hand here: the host adds it to successful results only.
 */
function partial(e: RemovalIncomplete, props: Props): Error {
  return Object.assign(new Error(e.message), {
    id: e.state.userId,
    properties: { ...storedState(e.state), __provider: props.__provider },
    reasons: [e.message],
  });
}

// ---- read ----------------------------------------------------------------------------------

/** `pulumi refresh`: brings the stored progress up to date from the portal recorded in state. Never writes. */
async function readIn(ctx: HostContext, id: string, props: Props): Promise<dynamic.ReadResult> {
  const state = parseState(props);
  if (state.status === "Completed") return { id, props: storedState(state) }; // proven when recorded; DocSpace forgets the task
  const client = ctx.settings.portalClient();
  const other = otherPortal(client.origin, state.portal);
  if (other) throw new DocSpaceError("configuration", other);
  const action = actionOfMode(state.mode);
  const task = await progressOf(client, taskKindOf({ action, successor: state.transferToId }), state.userId);
  const outcome = await outcomeOf(client, { action, userId: state.userId }, task, state.status === "Running" ? "yes" : "no");
  return { id, props: storedState(recordAfter(state, outcome)) };
}

// ---- diff / delete -------------------------------------------------------------------------

/**
 * Once the account is the same (step/check-diff.ts), computed from the stored state and the new
 * inputs alone (no portal, no process memory), so it is the same in every host. Once the data is
 * gone, options that can no longer change anything (transferTo, allowAdmin, timeoutSeconds) are
 * not changes; a new reason is an in-place update of the audit record. An unfinished removal
 * always shows as an update, which resumes it through the gate.
 */
async function diffSameAccount(ctx: HostContext, state: UserRemovalState, inputs: UserRemovalInputs): Promise<dynamic.DiffResult> {
  if (state.status !== "Completed") {
    await refuseWhatResumeWouldRefuse(ctx, state, inputs);
    return { changes: true };
  }
  return { changes: (inputs.reason ?? "") !== (state.reason ?? "") };
}

/**
 * The preview of an unfinished record: its update would resume it through the gate, so the
 * preview asks the gate the same, read-only, and fails with the gate's reasons. (The check of an
 * entry already held reads nothing; only diff sees the stored record.)
 */
async function refuseWhatResumeWouldRefuse(ctx: HostContext, state: UserRemovalState, inputs: UserRemovalInputs): Promise<void> {
  const verdict = await assess(ctx.settings.portalClient(), askOf(ctx, inputs), { kind: "preview-resume", previewOnly: ctx.settings.previewOnly(), stored: storedRecord(ctx, state, Date.now()) });
  if (verdict.kind === "refuse") {
    throw refused(inputs, verdict.failures);
  }
}

/** Removing the entry (or `pulumi destroy`) never restores, re-enables or stops anything. */
export async function remove(_id: string, props: Props): Promise<void> {
  // A removal cannot be undone, and stopping a running transfer half way leaves the person's data
  // split between two owners; the record is simply dropped. (Read the state for its shape only.)
  parseState(props);
}

function parseInputs(props: Props): UserRemovalInputs {
  return parseStepInputs(userRemovalInputsSchema, props, "UserRemoval");
}

// ---- the provider methods ------------------------------------------------------------------

const STEP: StepKind<UserRemovalInputs, UserRemovalState> = { schema: userRemovalInputsSchema, passedAlong: ["ownTransfer"], parseState, checkNew, diffSameAccount };

const REMOVAL = stepMethods(STEP, { create: createIn, read: readIn, update: updateIn, delete: remove });

/** UserRemoval's (and DataTransfer's) provider methods, acting in one host's context. */
export const removalMethods = (ctx: HostContext): ProviderMethods => providerMethods(REMOVAL, () => ctx);

// The names state written by earlier versions calls: each acts in this host's context.
export const { configure, check, diff, create, read, update } = providerMethods(REMOVAL, hostContext);

/** For tests and harnesses that act as a new provider host in this process: a fresh context (settings, run record). */
export function resetRunGuard(): void {
  freshHostContext();
}
