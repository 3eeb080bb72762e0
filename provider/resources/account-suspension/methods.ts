/**
 * AccountSuspension's provider methods: disabling an account, the reversible first step of
 * offboarding. Its gate is the same as a removal's (gate/, action "disable"): the right
 * person, never the owner or the key's own account, an admin only when asked for. Deleting the
 * record never re-enables the account (see remove). Each method takes the host's context
 * (../host/context.ts). Keep the exported method names at the end stable: old state runs them.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { DocSpaceClient } from "../../docspace/client";
import { withDeadline } from "../../docspace/deadline";
import { boundText, DocSpaceError, isDocSpaceError, refusedBeforeActing } from "../../docspace/errors";
import { employeeType, isActive, isDisabled, type Employee } from "../../docspace/schemas";
import { describeAccount, disable, lookUp, nameOf } from "../../docspace/account-reads";
import { hostContext, providerMethods, type HostContext, type ProviderMethods } from "../host/context";
import { assess, type RemovalAsk } from "../gate/assess";
import { proveGone } from "../gate/outcome";
import { otherPortal, refusedStep } from "../gate/reasons";
import { parseStepInputs, withoutUndefined, type Props } from "../step/pulumi-props";
import { parseSuspensionState, suspensionInputsSchema, type SuspensionInputs, type SuspensionState } from "./record";
import { accountLabel, accountRefOf, crossEntryFailures, lookAhead, planOrFailures, stepMethods, type StepKind } from "../step/check-diff";

/** A disable is one read and one write; it never needs a removal's long deadline. */
const STEP_SECONDS = 120;

function askOf(inputs: SuspensionInputs): RemovalAsk {
  return { account: accountRefOf(inputs), action: "disable", allowAdmin: inputs.allowAdmin ?? false };
}

function parseInputs(props: Props): SuspensionInputs {
  return parseStepInputs(suspensionInputsSchema, props, "AccountSuspension");
}

// ---- check ---------------------------------------------------------------------------------

/** A new suspension is looked at as the create would (step/check-diff.ts), then held to this run's rules. */
async function checkNew(ctx: HostContext, inputs: SuspensionInputs, news: Props): Promise<dynamic.CheckFailure[]> {
  const look = await lookAhead(ctx, askOf(inputs), inputs, news, { entryTransfers: false, successorNamed: false });
  return "failures" in look ? look.failures : crossEntryFailures(ctx, inputs, look.planned);
}

// ---- create / update -----------------------------------------------------------------------

/** Disables the account if it is not already; says whether this step did it. */
async function suspend(client: DocSpaceClient, inputs: SuspensionInputs, previous: SuspensionState | undefined): Promise<SuspensionState> {
  const verdict = await assess(client, askOf(inputs), { kind: "start" });
  const found = planOrFailures(verdict, inputs, client.origin, true);
  if ("failures" in found) throw new DocSpaceError("precondition", refusedStep("disable", accountLabel(inputs), found.failures.map((f) => f.reason).join(" ")), { notSent: true });
  const target = found.plan.target;
  let after = target;
  let disabledNow = false;
  if (!isDisabled(target)) {
    after = await disableOrLearn(client, target);
    if (!isDisabled(after)) throw new DocSpaceError("unexpected-response", `DocSpace did not disable ${describeAccount(target)} (its status is ${after.status}).`);
    disabledNow = true;
  }
  return {
    userId: target.id.toLowerCase(),
    email: (target.email ?? inputs.email ?? "").toLowerCase(),
    displayName: boundText(nameOf(target), 200),
    accountType: employeeType(target),
    status: "Disabled",
    disabledByStack: (previous?.disabledByStack ?? false) || disabledNow,
    disabledAt: disabledNow ? new Date().toISOString() : previous?.disabledAt,
    disabledSince: disabledNow ? undefined : boundText(target.terminated ?? previous?.disabledSince ?? "", 40) || undefined,
    handedOver: inputs.handedOver ?? false,
    reason: inputs.reason,
    allowAdmin: inputs.allowAdmin ?? false,
    portal: client.origin,
  };
}

/**
 * Disables an active account. When the answer is lost, DocSpace may have done it: the account is
 * read again, and if it is disabled now, this step did it (it was active a moment ago), and the
 * record says so (disabledByStack).
 */
async function disableOrLearn(client: DocSpaceClient, target: Employee): Promise<Employee> {
  try {
    return await disable(client, target.id);
  } catch (e) {
    if (!isDocSpaceError(e) || refusedBeforeActing(e)) throw e;
    const look = await lookUp(client, { userId: target.id }, { newRequest: true });
    if (look.found && isDisabled(look.user)) return look.user;
    throw e;
  }
}

async function createIn(ctx: HostContext, props: Props): Promise<dynamic.CreateResult> {
  const inputs = parseInputs(props);
  ctx.settings.refuseIfPreviewOnly(`disable ${accountLabel(inputs)}`, "Nothing was changed.");
  const client = ctx.settings.portalClient();
  const state = await withDeadline(Date.now() + STEP_SECONDS * 1000, () => suspend(client, inputs, undefined));
  return { id: state.userId, outs: withoutUndefined(state) };
}

/**
 * Handing over to a removal, or a new reason, only updates the record. An account found active
 * again (re-enabled outside this tool while the file still says to disable it) is disabled again.
 */
async function updateIn(ctx: HostContext, _id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const state = parseSuspensionState(olds);
  const inputs = parseInputs(news);
  // Once a removal has taken the account over, it stays taken over: its data may be gone already.
  const handedOver = state.handedOver || (inputs.handedOver ?? false);
  const recordOnly = { ...state, handedOver, reason: inputs.reason, allowAdmin: inputs.allowAdmin ?? false };
  if (state.status === "Gone" || handedOver) return { outs: withoutUndefined(recordOnly) };
  ctx.settings.refuseIfPreviewOnly(`disable ${accountLabel(inputs)}`, "Nothing was changed.");
  const client = ctx.settings.portalClient();
  const other = otherPortal(client.origin, state.portal);
  if (other) throw new DocSpaceError("configuration", other);
  const next = await withDeadline(Date.now() + STEP_SECONDS * 1000, () => suspend(client, { ...inputs, userId: state.userId, email: undefined }, state));
  return { outs: withoutUndefined(next) };
}

// ---- read / diff ---------------------------------------------------------------------------

/** What DocSpace says of the account now: Disabled, Active, or Gone (its own 404). Never writes. */
async function observe(client: DocSpaceClient, state: SuspensionState): Promise<SuspensionState> {
  const seen = await proveGone(client, state.userId, state.portal);
  if (seen.gone) return { ...state, status: "Gone", evidence: boundText(seen.proof) };
  return { ...state, status: isDisabled(seen.user) ? "Disabled" : "Active" };
}

async function readIn(ctx: HostContext, id: string, props: Props): Promise<dynamic.ReadResult> {
  const state = parseSuspensionState(props);
  return { id, props: withoutUndefined(await observe(ctx.settings.portalClient(), state)) };
}

/**
 * Once the account is the same (step/check-diff.ts): a changed reason or hand-over is an update. So
 * is an account that DocSpace shows active again while the file still says to disable it: the
 * update disables it.
 */
async function diffSameAccount(ctx: HostContext, state: SuspensionState, inputs: SuspensionInputs): Promise<dynamic.DiffResult> {
  // A hand-over is never undone (update keeps it), so only false → true is a change.
  if ((inputs.handedOver === true && !state.handedOver) || (inputs.reason ?? "") !== (state.reason ?? "")) return { changes: true };
  if (state.handedOver || state.status === "Gone") return { changes: false };
  try {
    const look = await lookUp(ctx.settings.portalClient(), { userId: state.userId });
    return { changes: look.found && isActive(look.user) };
  } catch (e) {
    if (isDocSpaceError(e)) return { changes: false }; // the checks and the update will say what is wrong
    throw e;
  }
}

// ---- delete --------------------------------------------------------------------------------

/**
 * Taking the entry out (or `pulumi destroy`) drops the record and never re-enables the account,
 * even one this stack disabled. Nothing DocSpace answers tells whether someone else disabled it
 * again since (re-enabled and disabled it in between): `PUT people/status` writes no `terminated`
 * date and the profile keeps no other trace of who or when (docspace-api.md 7.9, 8). So whether the
 * account comes back is a person's decision, made in DocSpace once the entry is out.
 */
export async function remove(_id: string, props: Props): Promise<void> {
  // Nothing is read or written at the portal. (Read the state for its shape only.)
  parseSuspensionState(props);
}

// ---- the provider methods ------------------------------------------------------------------

const STEP: StepKind<SuspensionInputs, SuspensionState> = { schema: suspensionInputsSchema, parseState: parseSuspensionState, checkNew, diffSameAccount };

const SUSPENSION = stepMethods(STEP, { create: createIn, read: readIn, update: updateIn, delete: remove });

/** AccountSuspension's provider methods, acting in one host's context. */
export const suspensionMethods = (ctx: HostContext): ProviderMethods => providerMethods(SUSPENSION, () => ctx);

// The names state written by earlier versions calls: each acts in this host's context.
export const { configure, check, diff, create, read, update } = providerMethods(SUSPENSION, hostContext);
