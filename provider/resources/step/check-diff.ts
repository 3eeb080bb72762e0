/**
 * The check and diff every account step (UserRemoval, DataTransfer, AccountSuspension) shares.
 * A kind gives its schema, its stored state and the one thing that differs: what a new entry's
 * check adds, and what a diff of the same account compares. Everything else is written here once:
 * validating, leaving entries already in the stack to diff, the program's look (fileCheck) or the
 * gate asked as a preview, this run's cross-entry rules, and replacing on another account.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import type { AccountRef } from "../../docspace/account-reads";
import type { HostContext, KindMethods } from "../host/context";
import { assess, type Plan, type RemovalAsk, type Verdict } from "../gate/assess";
import { noAccount } from "../gate/reasons";
import { containsUnknown, fileCheckOf, inputFailures, isSameAccount, portalFailure, previousInputs, UNKNOWN, withoutProvider, withProviderOf, withoutUndefined, type Props } from "./pulumi-props";

/** How an entry names its account: exactly one of the two (the schemas refuse anything else). */
export interface NamesAccount {
  email?: string;
  userId?: string;
}

/** The account as the entry names it, for messages. */
export function accountLabel(inputs: NamesAccount): string {
  return inputs.email ?? inputs.userId ?? "";
}

/** The input that names the account, for failures about it. */
export function accountProperty(inputs: NamesAccount): "userId" | "email" {
  return inputs.userId !== undefined ? "userId" : "email";
}

/** The account reference the gate looks up. */
export function accountRefOf(inputs: NamesAccount): AccountRef {
  return inputs.userId !== undefined ? { userId: inputs.userId } : { email: inputs.email! };
}

/** The accounts a new step would act on, as the gate (or the program's look, in this run) found them; `starts`: it would start something. */
export interface Planned {
  starts: boolean;
  account: string;
  successor?: string;
}

export interface StepKind<I extends NamesAccount, S extends { userId: string; email: string }> {
  schema: z.ZodType<I>;
  /** Inputs the program passes beside the resource's own, left out before validation (a value unknown in preview there says nothing about the entry). */
  passedAlong?: readonly string[];
  parseState(props: Props): S;
  /** The check of an entry the stack does not hold yet, on valid inputs: its failures. */
  checkNew(ctx: HostContext, inputs: I, news: Props): Promise<dynamic.CheckFailure[]>;
  /** The diff once the new inputs name the stored account. */
  diffSameAccount(ctx: HostContext, state: S, inputs: I): Promise<dynamic.DiffResult>;
}

/**
 * Validates and normalises inputs. An entry the stack already holds, for the same account, is left
 * to diff (its record decides; a finished one costs no request); a new one is checked by its kind.
 */
export async function checkStep<I extends NamesAccount, S extends { userId: string; email: string }>(kind: StepKind<I, S>, ctx: HostContext, olds: Props | undefined, news: Props): Promise<dynamic.CheckResult> {
  const raw = withoutProvider(news);
  for (const key of kind.passedAlong ?? []) delete raw[key];
  if (containsUnknown(raw)) return { inputs: news }; // preview with values not known yet: nothing to check
  const parsed = kind.schema.safeParse(raw);
  if (!parsed.success) return { inputs: news, failures: inputFailures(parsed.error) };
  const inputs = withoutUndefined(parsed.data);
  if (isSameAccount(previousInputs(olds), inputs)) return { inputs: withProviderOf(inputs, news) };
  const failures = await kind.checkNew(ctx, inputs, news);
  return failures.length > 0 ? { inputs: news, failures } : { inputs: withProviderOf(inputs, news) };
}

/**
 * From the stored state and the new inputs: another account (or one not known yet) is a
 * replacement, created before the old record is dropped; the rest is the kind's.
 */
export async function diffStep<I extends NamesAccount, S extends { userId: string; email: string }>(kind: StepKind<I, S>, ctx: HostContext, olds: Props, news: Props): Promise<dynamic.DiffResult> {
  const state = kind.parseState(olds);
  const raw = withoutProvider(news);
  for (const field of ["email", "userId"] as const) if (raw[field] === UNKNOWN) return { changes: true, replaces: [field] };
  const parsed = kind.schema.safeParse(raw);
  if (!parsed.success) return { changes: true };
  const inputs = parsed.data;
  if (inputs.userId !== undefined && inputs.userId !== state.userId) return { changes: true, replaces: ["userId"], deleteBeforeReplace: false };
  if (inputs.email !== undefined && inputs.email !== state.email.toLowerCase()) return { changes: true, replaces: ["email"], deleteBeforeReplace: false };
  return kind.diffSameAccount(ctx, state, inputs);
}

/**
 * What a new step would act on: the program's look at the whole file, when it has just found the
 * accounts and would start this step (fileCheck, bound to what the entry names), or else the gate,
 * asked exactly what apply would ask it, read-only. Preview thus refuses what the create would.
 */
export async function lookAhead(ctx: HostContext, ask: RemovalAsk, inputs: NamesAccount & { transferTo?: string }, news: Props, opts: { entryTransfers: boolean; successorNamed: boolean }): Promise<{ planned: Planned } | { failures: dynamic.CheckFailure[] }> {
  const told = fileCheckOf(news, inputs, opts.successorNamed ? { transferTo: inputs.transferTo } : undefined);
  if (told) return { planned: { starts: true, account: told.userId, successor: told.successorId } };
  const prop = accountProperty(inputs);
  try {
    const client = ctx.settings.portalClient();
    const verdict = await assess(client, ask, { kind: "preview", previewOnly: ctx.settings.previewOnly(), entryTransfers: opts.entryTransfers });
    const found = planOrFailures(verdict, inputs, client.origin, ask.action === "disable");
    return "failures" in found ? found : { planned: { starts: found.starts, account: found.plan.target.id, successor: found.plan.successor?.id } };
  } catch (e) {
    return { failures: [portalFailure(e, prop)] };
  }
}

/**
 * The gate's verdict on a step as what it would act on (the plan, and whether it would start
 * something), or as the failures that refuse it. `disabling`: a suspension's words for an account
 * DocSpace does not have.
 */
export function planOrFailures(verdict: Verdict, inputs: NamesAccount, origin: string, disabling: boolean): { plan: Plan; starts: boolean } | { failures: dynamic.CheckFailure[] } {
  switch (verdict.kind) {
    case "refuse":
      return { failures: verdict.failures };
    case "absent":
    case "gone":
      return { failures: [{ property: accountProperty(inputs), reason: noAccount(verdict, inputs, origin, disabling) }] };
    default:
      return { plan: verdict.plan, starts: verdict.kind === "start" };
  }
}

/** This run's cross-entry rules (offboarding/cross-entry.ts) for one entry's planned step. */
export function crossEntryFailures(ctx: HostContext, inputs: NamesAccount, planned: Planned): dynamic.CheckFailure[] {
  const problems = ctx.run.recordStep({ label: accountLabel(inputs), account: planned.account, successor: planned.successor });
  return problems.map((reason) => ({ property: accountProperty(inputs), reason }));
}

/** A kind's methods: check and diff from this skeleton, the rest its own. */
export function stepMethods<I extends NamesAccount, S extends { userId: string; email: string }>(kind: StepKind<I, S>, own: Pick<KindMethods, "create" | "read" | "update" | "delete">): KindMethods {
  return { check: (ctx, olds, news) => checkStep(kind, ctx, olds, news), diff: (ctx, _id, olds, news) => diffStep(kind, ctx, olds, news), ...own };
}
