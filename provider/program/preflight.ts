/**
 * The program's look at the whole file before it declares anything. Pulumi checks resources one
 * at a time and stops at the first refusal, and with `--skip-preview` the first removals may
 * start before the last entry is checked. So the program asks the same gate (evidence.ts) about
 * every entry at once, read-only, and refuses the run, naming every problem with its line, before
 * a single resource exists. The resources' own checks still run: this is a second line, not the
 * only one.
 */
import { DocSpaceClient } from "../docspace/client";
import { isDocSpaceError } from "../docspace/errors";
import { closeConnections } from "../docspace/transport";
import type { SettingsInput } from "../docspace/settings";
import { assess, type RemovalAsk, type Verdict } from "../resources/evidence";
import type { OffboardingFile, Removal } from "../offboarding/parse";
import { logicalName } from "./names";
import { planEntry } from "../offboarding/plan";

export interface PreflightResult {
  /** Problems that refuse the run, one line each, with the file and line. */
  problems: string[];
  /** Entries with no account: a typo, or an entry an earlier run completed (only the stack knows which). */
  absent: string[];
  /** Entries that would newly start a removal. */
  newStarts: number;
}

export async function preflightFile(file: OffboardingFile, settings: SettingsInput, limit: number, day: string, previewOnly = false): Promise<PreflightResult> {
  try {
    return await look(file, settings, limit, day, previewOnly);
  } finally {
    await closeConnections();
  }
}

/** The gate's question for an entry on this day: its furthest step (remove, else transfer, else disable). */
function askFor(r: Removal, day: string): RemovalAsk {
  const plan = planEntry(r, day);
  const account = r.id !== undefined ? { userId: r.id } : { email: r.email! };
  if (plan.remove) return { account, transferTo: r.transferTo, allowAdmin: r.allowAdmin, removeAfter: r.removeAfter, today: day };
  if (plan.transfer) return { account, transferTo: r.transferTo, allowAdmin: r.allowAdmin, keepProfile: true };
  return { account, allowAdmin: r.allowAdmin, purpose: "disable" };
}

async function look(file: OffboardingFile, settings: SettingsInput, limit: number, day: string, previewOnly: boolean): Promise<PreflightResult> {
  const client = new DocSpaceClient(settings);
  const targets = new Map<string, string>();
  const where = (r: Removal): string => `${file.fileName}:${r.line}: ${logicalName(r)}`;
  // Every entry at once: accounts.ts shares and batches the reads.
  const verdicts = await Promise.all(
    file.removals.map(async (r): Promise<[Removal, Verdict | Error]> => {
      if (r.alreadyRemoved) return [r, { kind: "absent", reason: "" }];
      const ask = askFor(r, day);
      try {
        return [r, await assess(client, ask, { preview: true, previewOnly })];
      } catch (e) {
        if (isDocSpaceError(e)) return [r, e];
        throw e;
      }
    }),
  );
  const result: PreflightResult = { problems: [], absent: [], newStarts: 0 };
  const successors = new Map<string, Removal>();
  for (const [r, v] of verdicts) {
    if (v instanceof Error) {
      result.problems.push(`${where(r)}: ${v.message}`);
      continue;
    }
    if (v.kind === "refuse") for (const f of v.failures) result.problems.push(`${where(r)}: ${f.reason}`);
    if (v.kind === "absent" && !r.alreadyRemoved) result.absent.push(`${where(r)}: ${v.reason}`);
    if (v.kind === "start" || v.kind === "adopt") {
      const id = v.plan.target.id.toLowerCase();
      const first = targets.get(id);
      if (first !== undefined) result.problems.push(`${where(r)}: the same DocSpace account as ${first}; list each account once.`);
      targets.set(id, logicalName(r));
      if (v.plan.successor) successors.set(v.plan.successor.id.toLowerCase(), r);
      if (v.kind === "start" && v.plan.mode !== "keep" && planEntry(r, day).remove) result.newStarts++;
    }
  }
  for (const [id, r] of successors) {
    const removed = targets.get(id);
    if (removed !== undefined) result.problems.push(`${where(r)}: the successor (transferTo) ${removed} is also listed for removal; name a successor who stays.`);
  }
  if (result.newStarts > limit) {
    result.problems.push(
      `${file.fileName}: ${result.newStarts} removals would start in this run, more than docspace:maxRemovalsPerRun (${limit}). Nothing was started. ` +
        `If so many are intended, raise it with \`pulumi config set docspace:maxRemovalsPerRun ${result.newStarts}\`, or apply the file in smaller steps.`,
    );
  }
  return result;
}
