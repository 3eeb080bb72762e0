/**
 * UserRemoval's provider methods. The serialized provider (user-removal.ts) is a set of one-line
 * shims that load this module by package name inside the host, so this file may use zod, undici
 * and module state freely. Keep these exported names and signatures stable: old state runs them.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { isDocSpaceError } from "../docspace/errors";
import { configureFromStack, maxRemovalsPerRun, portalClient } from "./credentials";
import { findAccount } from "./accounts";
import { preflight } from "./user-removal-preflight";
import { completed, RemovalIncomplete, runRemoval, withProgress, type RunContext } from "./user-removal-run";
import { accountProperty, parseState, userRemovalInputsSchema, type UserRemovalInputs, type UserRemovalState } from "./user-removal-model";
import { containsUnknown, inputFailures, portalFailure, UNKNOWN, withoutProvider, withoutUndefined, type Props } from "./props";

export async function configure(req: dynamic.ConfigureRequest): Promise<void> {
  configureFromStack(req.config);
}

/** Validates and normalises inputs; the first sight of an account also gets the read-only preflight. */
export async function check(olds: Props | undefined, news: Props): Promise<dynamic.CheckResult> {
  const raw = withoutProvider(news);
  if (containsUnknown(raw)) return { inputs: news }; // preview with values not known yet: nothing to check
  const parsed = userRemovalInputsSchema.safeParse(raw);
  if (!parsed.success) {
    return { inputs: news, failures: inputFailures(parsed.error) };
  }
  const inputs = withoutUndefined(parsed.data);
  const failures: dynamic.CheckFailure[] = [];
  if (isNewAccount(olds, inputs)) {
    const guard = countNewRemoval(inputs);
    if (guard) return { inputs: news, failures: [guard] };
    try {
      const result = await preflight(portalClient(), inputs);
      failures.push(...result.failures);
      if (result.plan) {
        const twice = claimTarget(result.plan.target.id, inputs);
        if (twice) failures.push(twice);
      }
    } catch (e) {
      failures.push(portalFailure(e, accountProperty(inputs)));
    }
  }
  if (failures.length > 0) return { inputs: news, failures };
  return { inputs: news.__provider === undefined ? { ...inputs } : { ...inputs, __provider: news.__provider } };
}

/** Accounts this process (one `pulumi preview` or `up`) was asked to start removing. */
const newThisRun = new Set<string>();

/** The guard against a mass removal from a typo or a bad merge. */
function countNewRemoval(inputs: UserRemovalInputs): dynamic.CheckFailure | undefined {
  const limit = maxRemovalsPerRun();
  newThisRun.add(inputs.userId ?? inputs.email ?? "");
  if (newThisRun.size <= limit) return undefined;
  return {
    property: accountProperty(inputs),
    reason: `Refusing to start more than ${limit} removals in one run: ${inputs.email ?? inputs.userId} would be number ${newThisRun.size}. Nothing has been removed by this check. If so many removals are intended, raise the limit with \`pulumi config set docspace:maxRemovalsPerRun ${Math.max(newThisRun.size, limit * 2)}\` (or apply the file in smaller steps).`,
  };
}

/** Which entry claimed each account in this run, so one account named twice (by email and by id) is caught. */
const claimedBy = new Map<string, string>();

function claimTarget(userId: string, inputs: UserRemovalInputs): dynamic.CheckFailure | undefined {
  const label = inputs.email ?? inputs.userId!;
  const first = claimedBy.get(userId.toLowerCase());
  if (first === undefined || first === label) {
    claimedBy.set(userId.toLowerCase(), label);
    return undefined;
  }
  return {
    property: accountProperty(inputs),
    reason: `${label} is the same DocSpace account as ${first}, which is also listed; list each account once.`,
  };
}

/** For tests: start a new run's count. */
export function resetRunGuard(): void {
  newThisRun.clear();
  claimedBy.clear();
}

function isNewAccount(olds: Props | undefined, inputs: UserRemovalInputs): boolean {
  const prev = withoutProvider(olds ?? {});
  if (Object.keys(prev).length === 0) return true;
  // Compare the raw identifiers only: inputs stored by another version must still count as the same account.
  const text = (v: unknown): string | undefined => (typeof v === "string" ? v.trim().toLowerCase() : undefined);
  return !sameAccount({ email: text(prev.email), userId: text(prev.userId) }, inputs);
}

function sameAccount(a: { email?: string; userId?: string }, b: { email?: string; userId?: string }): boolean {
  if (b.userId !== undefined && a.userId !== undefined) return a.userId.toLowerCase() === b.userId.toLowerCase();
  if (b.email !== undefined && a.email !== undefined) return a.email.toLowerCase() === b.email.toLowerCase();
  return false;
}

export async function create(props: Props): Promise<dynamic.CreateResult> {
  const inputs = parseInputs(props);
  const client = portalClient();
  const plan = await preflight(client, inputs);
  if (plan.failures.length > 0 || !plan.plan) {
    throw new Error(`Refusing to remove ${inputs.email ?? inputs.userId}: ${plan.failures.map((f) => f.reason).join(" ")}`);
  }
  const state = await execute({ client, inputs, target: plan.plan.target, successor: plan.plan.successor }, props);
  return { id: state.userId, outs: withoutUndefined(state) };
}

/** Runs the removal; a run that began but did not finish is reported as partially created. */
async function execute(ctx: RunContext, props: Props): Promise<UserRemovalState> {
  try {
    return await runRemoval(ctx);
  } catch (e) {
    if (e instanceof RemovalIncomplete) {
      // `id` + `properties` make the engine record the resource as partially created, so the next
      // `pulumi up` resumes it through `update` instead of starting again. __provider must be kept
      // by hand here: the host adds it to successful results only.
      throw Object.assign(new Error(e.message), {
        id: e.state.userId,
        properties: { ...withoutUndefined(e.state), __provider: props.__provider },
        reasons: [e.message],
      });
    }
    throw e;
  }
}

/** `pulumi refresh`: brings the stored progress up to date. Never writes. */
export async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
  const state = parseState(props);
  if (state.status === "Completed") return { id, props: withoutUndefined(state) }; // the account is gone for good; DocSpace forgets the task
  const client = portalClient();
  const task = state.mode === "transfer" ? await client.reassignProgress(state.userId) : await client.removeProgress(state.userId);
  let next: UserRemovalState;
  if (task) next = withProgress(state, task);
  else {
    const still = await findAccount(client, { userId: state.userId }, { fresh: true });
    if (!still) next = completed(state);
    else if (state.status === "Running") next = { ...state, status: "Failed", error: "DocSpace no longer reports the task and the account still exists." };
    else next = state;
  }
  return { id, props: withoutUndefined(next) };
}

/**
 * Another account means replacement. Once the data is gone, options that can no longer change
 * anything (transferTo, allowAdmin, timeoutSeconds) are not shown as changes; a new reason is an
 * in-place update of the audit record. An unfinished or failed removal always shows as an update,
 * which resumes it.
 */
export async function diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
  const state = parseState(olds);
  const raw = withoutProvider(news);
  for (const field of ["email", "userId"] as const) {
    if (raw[field] === UNKNOWN) return { changes: true, replaces: [field] };
  }
  const parsed = userRemovalInputsSchema.safeParse(raw);
  if (!parsed.success) return { changes: true };
  const inputs = parsed.data;
  if (inputs.userId !== undefined && inputs.userId !== state.userId) return { changes: true, replaces: ["userId"], deleteBeforeReplace: false };
  if (inputs.email !== undefined && inputs.email !== state.email.toLowerCase()) return { changes: true, replaces: ["email"], deleteBeforeReplace: false };
  if (state.status !== "Completed") return { changes: true };
  if ((inputs.reason ?? "") !== (state.reason ?? "")) return { changes: true };
  return { changes: false };
}

export async function update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const state = parseState(olds);
  const inputs = parseInputs(news);
  if (state.status === "Completed") {
    return { outs: withoutUndefined({ ...state, reason: inputs.reason }) };
  }
  const client = portalClient();
  const target = await findAccount(client, { userId: state.userId }, { fresh: true });
  if (!target) {
    // Gone: the earlier run finished after all.
    return { outs: withoutUndefined(completed({ ...state, reason: inputs.reason })) };
  }
  const plan = await preflight(client, { ...inputs, email: undefined, userId: state.userId });
  if (plan.failures.length > 0 || !plan.plan) {
    throw new Error(`Refusing to resume the removal of ${state.email || state.userId}: ${plan.failures.map((f) => f.reason).join(" ")}`);
  }
  const next = await execute({ client, inputs, target, successor: plan.plan.successor, previous: state }, news);
  return { outs: withoutUndefined(next) };
}

/** Removing the entry (or `pulumi destroy`) never restores or re-enables anyone. */
export async function remove(_id: string, props: Props): Promise<void> {
  const state = parseState(props);
  if (state.mode === "transfer" && state.status === "Running") {
    // DocSpace honours cancellation of a transfer between its steps; a removal cannot be stopped.
    try {
      await portalClient().terminateReassign(state.userId);
    } catch (e) {
      if (!isDocSpaceError(e, "not-found")) throw e;
    }
  }
}

function parseInputs(props: Props): UserRemovalInputs {
  const parsed = userRemovalInputsSchema.safeParse(withoutProvider(props));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`Invalid UserRemoval inputs: ${String(i.path[0] ?? "inputs")} ${i.message}.`);
  }
  return parsed.data;
}
