/**
 * The program's look at the whole file before it declares anything. Pulumi checks resources one
 * at a time and stops at the first refusal, and with `--skip-preview` the first removals may
 * start before the last entry is checked. So the program asks the same gate (resources/gate/) about
 * every entry at once, read-only, and refuses the run, naming every problem with its line, before
 * a single resource exists. What it finds for a step it would start is handed to that resource's
 * check (resources/step/pulumi-props.ts, FileCheck), which then reads nothing again; every other entry's check asks the
 * gate itself, and every create still does.
 */
import { DocSpaceClient } from "../docspace/client";
import { isDocSpaceError } from "../docspace/errors";
import { closeConnections } from "../docspace/transport";
import type { SettingsInput } from "../docspace/settings";
import { assess, type RemovalAsk, type Verdict } from "../resources/gate/assess";
import type { OffboardingFile, Removal } from "../offboarding/parse";
import { logicalName } from "./names";
import { lookUpAll, refKey, type AccountRef } from "../docspace/account-reads";
import { crossEntryProblems, exceedsRunLimit, type EntryAccounts } from "../offboarding/cross-entry";
import { planEntry, type EntryPlan } from "../offboarding/plan";
import { isDisabled } from "../docspace/schemas";
import type { Action } from "../entry-rules";
import { readImpacts, type ImpactReport, type PlannedAction } from "./impact-report";
import type { FileCheck } from "../resources/step/pulumi-props";

export interface PreflightResult {
  /** Problems that refuse the run, one line each, with the file and line. */
  problems: string[];
  /** Entries with no account: a typo, or an entry an earlier run completed (only the stack knows which). */
  absent: string[];
  /** Entries that would newly start a removal. */
  newStarts: number;
  /** Accounts the gate would newly act on (disable, transfer or remove), for the impact report. */
  planned: PlannedAction[];
  /** Their impact, read when asked for and nothing refused the run. */
  impacts?: ImpactReport;
  /** Whether each entry's account (by entry name) is disabled now, where the gate found it. */
  disabledNow: Map<string, boolean>;
  /** Entries (by name) the gate would start on now, with the accounts it found: told to their resources' checks. */
  checked: Map<string, FileCheck>;
  /**
   * Entries (by name) whose account DocSpace does not have now (none has the email, or the id is
   * proved gone), and entries recorded as already removed: settled, as far as the portal goes.
   */
  notAtDocSpace: Set<string>;
}

/** The entry's furthest step on this day (its removal, else its transfer, else its suspension). */
function furthestStep(plan: EntryPlan): Action {
  if (plan.remove) return "remove";
  return plan.transfer ? "transfer" : "disable";
}

export async function preflightFile(
  file: OffboardingFile,
  settings: SettingsInput,
  limit: number,
  day: string,
  previewOnly = false,
  maxImpacts = 0,
): Promise<PreflightResult> {
  try {
    return await look(file, settings, limit, day, previewOnly, maxImpacts);
  } finally {
    await closeConnections();
  }
}

/** The gate's question for an entry on this day: its furthest step (remove, else transfer, else disable). */
function askFor(r: Removal, plan: EntryPlan, day: string): RemovalAsk {
  const account = r.id !== undefined ? { userId: r.id } : { email: r.email! };
  const schedule = r.removeAfter !== undefined ? { removeAfter: r.removeAfter, today: day } : undefined;
  if (plan.remove) return { account, action: "remove", transferTo: r.transferTo, allowAdmin: r.allowAdmin, schedule };
  if (plan.transfer) return { account, action: "transfer", transferTo: r.transferTo, allowAdmin: r.allowAdmin };
  return { account, action: "disable", allowAdmin: r.allowAdmin };
}

async function look(file: OffboardingFile, settings: SettingsInput, limit: number, day: string, previewOnly: boolean, maxImpacts: number): Promise<PreflightResult> {
  const client = new DocSpaceClient(settings);
  const where = (r: Removal): string => `${file.fileName}:${r.line}: ${logicalName(r)}`;
  // Every entry at once: docspace/account-reads.ts shares and batches the reads.
  const plans = new Map(file.removals.map((r) => [r, planEntry(r, day)]));
  // Many entries per request: what the stack has finished costs its share of a search page.
  const asked = file.removals.filter((r) => !r.alreadyRemoved).map((r): AccountRef => (r.id !== undefined ? { userId: r.id } : { email: r.email! }));
  const found = await lookUpAll(client, asked);
  const verdicts = await Promise.all(
    file.removals.map(async (r): Promise<[Removal, Verdict | Error]> => {
      if (r.alreadyRemoved) return [r, { kind: "absent", reason: "" }];
      const ask = askFor(r, plans.get(r)!, day);
      try {
        // A due removal of an entry with action transfer waits behind its own DataTransfer.
        return [r, await assess(client, ask, { kind: "preview-file", previewOnly, entryTransfers: r.action === "transfer", found: found.get(refKey(ask.account)) })];
      } catch (e) {
        if (isDocSpaceError(e)) return [r, e];
        throw e;
      }
    }),
  );
  const result: PreflightResult = { problems: [], absent: [], newStarts: 0, planned: [], disabledNow: new Map(), checked: new Map(), notAtDocSpace: new Set() };
  const acting: Array<{ r: Removal; accounts: EntryAccounts }> = [];
  for (const [r, v] of verdicts) {
    if (v instanceof Error) {
      result.problems.push(`${where(r)}: ${v.message}`);
      continue;
    }
    if (v.kind === "refuse") for (const f of v.failures) result.problems.push(`${where(r)}: ${f.reason}`);
    if ("plan" in v) result.disabledNow.set(logicalName(r), isDisabled(v.plan.target));
    if (v.kind === "absent" && !r.alreadyRemoved) result.absent.push(`${where(r)}: ${v.reason}`);
    if (v.kind === "absent" || v.kind === "gone") result.notAtDocSpace.add(logicalName(r));
    if (v.kind === "start" || v.kind === "adopt") {
      const accounts: EntryAccounts = { label: logicalName(r), account: v.plan.target.id.toLowerCase(), successor: v.plan.successor?.id.toLowerCase() };
      acting.push({ r, accounts });
      const action = furthestStep(plans.get(r)!);
      if (v.kind === "start" && action === "remove") result.newStarts++;
      // A start that counts on the entry's own transfer being the one running is the stack's to
      // confirm (its records): that resource's check asks the gate itself.
      if (v.kind === "start" && v.waitsFor === undefined) result.checked.set(accounts.label, { userId: accounts.account, successorId: accounts.successor, email: r.email?.toLowerCase(), transferTo: r.transferTo?.toLowerCase() });
      // A disable of an account already disabled changes nothing: no impact to show.
      if (v.kind === "start" && !(action === "disable" && isDisabled(v.plan.target))) result.planned.push({ name: logicalName(r), action, plan: v.plan });
    }
  }
  // The rules between entries (cross-entry.ts), by the accounts DocSpace resolved them to.
  for (const p of crossEntryProblems(acting.map((a) => a.accounts))) result.problems.push(`${where(acting[p.index]!.r)}: ${p.message}`);
  if (exceedsRunLimit(result.newStarts, limit)) {
    result.problems.push(
      `${file.fileName}: ${result.newStarts} removals would start in this run, more than docspace:maxRemovalsPerRun (${limit}). Nothing was started. ` +
        `If so many are intended, raise it with \`pulumi config set docspace:maxRemovalsPerRun ${result.newStarts}\`, or apply the file in smaller steps.`,
    );
  }
  if (result.problems.length === 0 && maxImpacts > 0 && result.planned.length > 0) result.impacts = await readImpacts(client, result.planned, maxImpacts);
  return result;
}
