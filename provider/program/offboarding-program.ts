/**
 * The offboarding program: for each entry of the offboarding file, the resources its plan calls
 * for on this day (offboarding/plan.ts), named after the account (never its position), and stack
 * outputs for the audit trail.
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { loadOffboardingFile, OffboardingFileError, type OffboardingFile } from "../offboarding/parse";
import { DataTransfer, UserRemoval } from "../resources/user-removal";
import { AccountSuspension } from "../resources/account-suspension";
import { describePlan, planEntry, reversalNote } from "../offboarding/plan";
import { today } from "../clock";
import type { SettingsInput } from "../docspace/settings";
import { isPreviewOnly, removalLimit } from "../resources/credentials";
import { isDocSpaceError } from "../docspace/errors";
import { logicalName } from "./names";
import { preflightFile } from "./preflight";
import { maxImpactReads, publishImpacts } from "./impact-report";
import type { Json } from "../impact/render";

export interface OffboardingProgramOptions {
  /** The offboarding file; default: docspace:offboardingFile, else offboarding.yaml in the project directory. */
  file?: string;
  /** Directory a relative `file` is resolved from; default the program's working directory (the project). */
  baseDir?: string;
}

/** Per entry, for the audit trail: the furthest step's outcome (removal, else transfer, else the suspension's status). */
export interface AccountOutcome {
  action: string;
  status: pulumi.Output<string>;
  taskId?: pulumi.Output<string>;
  startedAt?: pulumi.Output<string>;
  completedAt?: pulumi.Output<string | undefined>;
  mode?: pulumi.Output<string>;
  /** For a dated removal: the date, and whether this run removes it. */
  removeAfter?: string;
  removalDue?: boolean;
  /** For a disabled account: whether this stack disabled it (only then does taking the entry out re-enable it). */
  disabledByStack?: pulumi.Output<boolean>;
}

export interface OffboardingOutputs {
  offboardingFile: string;
  /** What this run does to each newly offboarded person's data (root program, with portal settings). */
  impact?: Record<string, Json>;
  accounts: Record<string, AccountOutcome>;
  totals: pulumi.Output<Record<string, number>>;
  /** Every resource declared, in file order (for each entry: suspension, transfer, removal). */
  removals: pulumi.Resource[];
}

export { logicalName };

/**
 * Loads the file; a bad file stops the program with the file's own message and no stack trace
 * (pulumi.RunError), keeping the issues for callers that want them.
 */
function load(path: string): OffboardingFile {
  try {
    return loadOffboardingFile(path);
  } catch (e) {
    if (e instanceof OffboardingFileError) {
      throw Object.assign(new pulumi.RunError(e.message), { fileName: e.fileName, issues: e.issues });
    }
    throw e;
  }
}

/** Where Pulumi.yaml is (a relative offboarding file is relative to it), whatever the language host's working directory. */
function projectRoot(): string {
  let root: string | undefined;
  try {
    root = pulumi.runtime.getRootDirectory();
  } catch {
    root = undefined;
  }
  if (root && isAbsolute(root)) return root;
  // Older language hosts do not pass the root: look for Pulumi.yaml from the working directory up.
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml")) || existsSync(join(dir, "Pulumi.yml"))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** A path from config or options: absolute, or relative to the project (Pulumi.yaml's directory). */
function resolveFromProject(file: string, options: OffboardingProgramOptions): string {
  return isAbsolute(file) ? file : join(options.baseDir ?? projectRoot(), file);
}

interface Loaded {
  file: string;
  parsed: OffboardingFile;
  limit: number;
  config: pulumi.Config;
  /** Today (UTC) for removeAfter: docspace:today / DOCSPACE_TODAY, else the date. */
  day: string;
}

function loadWithLimit(options: OffboardingProgramOptions): Loaded {
  const config = new pulumi.Config("docspace");
  const file = options.file ?? config.get("offboardingFile") ?? "offboarding.yaml";
  const path = resolveFromProject(file, options);
  const parsed = load(path);
  try {
    const limit = removalLimit(config.get("maxRemovalsPerRun"), process.env.DOCSPACE_MAX_REMOVALS_PER_RUN);
    const day = today(config.get("today"), process.env.DOCSPACE_TODAY);
    return { file, parsed, limit, config, day };
  } catch (e) {
    if (isDocSpaceError(e)) throw new pulumi.RunError(e.message);
    throw e;
  }
}

/** Declares the resources of a file, without looking at the portal first (the resources' checks still do). */
export function defineOffboarding(options: OffboardingProgramOptions = {}): OffboardingOutputs {
  return declare(loadWithLimit(options));
}

/**
 * The program at the repository root: looks at every entry through the gate first (read-only),
 * refuses the run naming every problem, then declares the resources. Without portal settings in
 * the stack config or the environment, it declares them and leaves the refusals to their checks.
 */
export async function defineCheckedOffboarding(options: OffboardingProgramOptions = {}): Promise<OffboardingOutputs> {
  const loaded = loadWithLimit(options);
  const settings = await portalSettings(loaded.config);
  let impact: Record<string, Json> | undefined;
  let disabledNow: Map<string, boolean> | undefined;
  if (settings) {
    // The impact is the plan's: read for previews (and `up`'s own preview), not again while applying,
    // so the stack keeps no stale copy and a preview after an `up` shows no change.
    const maxImpacts = pulumi.runtime.isDryRun() ? maxImpactReads(loaded.config.get("maxImpactReads")) : 0;
    const found = await preflightFile(loaded.parsed, settings, loaded.limit, loaded.day, isPreviewOnly(loaded.config.get("previewOnly"), process.env.DOCSPACE_PREVIEW_ONLY), maxImpacts);
    if (found.problems.length > 0) {
      const unique = [...new Set(found.problems)];
      const absent = found.absent.length > 0 ? `\nAlso without an account (a typo; or, if an earlier run removed it, expected):\n  ${found.absent.join("\n  ")}` : "";
      throw new pulumi.RunError(`${loaded.file}: ${unique.length === 1 ? "a problem" : `${unique.length} problems`}; nothing was done:\n  ${unique.join("\n  ")}${absent}`);
    }
    disabledNow = found.disabledNow;
    if (found.impacts) {
      const summaryFile = loaded.config.get("summaryFile");
      impact = publishImpacts(found.impacts, { summaryFile: summaryFile ? resolveFromProject(summaryFile, options) : undefined });
    }
  }
  return { ...declare(loaded, disabledNow), ...(impact && Object.keys(impact).length > 0 ? { impact } : {}) };
}

/** The portal and key the resources will use: docspace:url / docspace:apiKey, else DOCSPACE_URL / DOCSPACE_API_KEY. */
async function portalSettings(config: pulumi.Config): Promise<SettingsInput | undefined> {
  const url = config.get("url") ?? process.env.DOCSPACE_URL;
  // The raw value, not an Output: an Output still pending when a refused program ends keeps Pulumi's
  // runtime busy reporting it. The key is only handed to the client; never logged or stored here.
  const apiKey = pulumi.runtime.getConfig("docspace:apiKey") ?? process.env.DOCSPACE_API_KEY;
  if (!url || !apiKey) return undefined;
  const limits: SettingsInput = { url, apiKey };
  for (const name of ["maxConcurrentRequests", "maxConcurrentWrites", "requestsPerMinute", "rateWindowMs", "requestTimeoutMs", "maxRetries", "maxRetryDelayMs"] as const) {
    const v = config.get(name);
    if (v !== undefined) (limits as Record<string, unknown>)[name] = v;
  }
  return limits;
}

/** `disabledNow`: whether each entry's account is disabled now (from the whole-file look), for the preview's re-enable notes. */
function declare({ file, parsed, limit, day }: Loaded, disabledNow?: Map<string, boolean>): OffboardingOutputs {
  const plans = parsed.removals.map((r) => planEntry(r, day));
  const removing = plans.filter((p) => p.remove).length;
  if (removing > limit) {
    // The provider's check refuses the removal that would exceed the limit; say the numbers up front.
    void pulumi.log.warn(
      `${file} has ${removing} removals due and docspace:maxRemovalsPerRun is ${limit}: this run fails if more than ${limit} of them are new to the stack. ` +
        `To allow it: pulumi config set docspace:maxRemovalsPerRun ${removing}`,
    );
  }

  const resources: pulumi.Resource[] = [];
  const accounts: Record<string, AccountOutcome> = {};
  const statuses: Array<pulumi.Output<string>> = [];
  parsed.removals.forEach((r, i) => {
    const plan = plans[i]!;
    const name = logicalName(r);
    const account = { email: r.email, userId: r.id };
    const common = { ...account, allowAdmin: r.allowAdmin || undefined, reason: r.reason };
    // Each later step waits for the earlier ones, so the suspension records who disabled the account.
    const before: pulumi.Resource[] = [];
    let suspension: AccountSuspension | undefined;
    if (plan.suspend) {
      suspension = new AccountSuspension(name, { ...common, handedOver: plan.suspend.handedOver || undefined });
      before.push(suspension);
    }
    let transfer: DataTransfer | undefined;
    if (plan.transfer) {
      transfer = new DataTransfer(name, { ...common, transferTo: r.transferTo!, timeoutSeconds: r.timeoutSeconds }, { dependsOn: [...before] });
      before.push(transfer);
    }
    let removal: UserRemoval | undefined;
    if (plan.remove) {
      removal = new UserRemoval(
        name,
        { ...common, transferTo: r.transferTo, alreadyRemoved: r.alreadyRemoved || undefined, timeoutSeconds: r.timeoutSeconds, removeAfter: r.removeAfter },
        before.length > 0 ? { dependsOn: [...before] } : undefined,
      );
    }
    resources.push(...before, ...(removal ? [removal] : []));
    if (plan.suspend || plan.due) {
      const reversal = reversalNote(plan, disabledNow?.get(name));
      void pulumi.log.info(`${name} (${r.action}${r.removeAfter ? `, removeAfter ${r.removeAfter}` : ""}): ${describePlan(plan)}${reversal ? `; ${reversal}` : ""}`);
    }
    const task = removal ?? transfer;
    const status = task ? task.status : suspension!.status;
    statuses.push(status);
    accounts[name] = {
      action: r.action,
      status,
      ...(task ? { taskId: task.taskId, startedAt: task.startedAt, completedAt: task.completedAt, mode: task.mode } : {}),
      ...(plan.due ? { removeAfter: plan.due.date, removalDue: plan.remove } : {}),
      ...(suspension ? { disabledByStack: suspension.disabledByStack } : {}),
    };
  });
  const totals = pulumi.all(statuses).apply((all) => {
    const out: Record<string, number> = { total: all.length };
    for (const s of all) out[s ?? "Unknown"] = (out[s ?? "Unknown"] ?? 0) + 1;
    return out;
  });
  return { offboardingFile: file, accounts, totals, removals: resources };
}
