/** The offboarding program (`defineOffboarding`): the offboarding file in, resources and stack outputs out. */
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { loadOffboardingFile, OffboardingFileError, type OffboardingFile, type Removal } from "../offboarding/parse";
import { DataTransfer, UserRemoval } from "../resources/user-removal/resource";
import { AccountSuspension } from "../resources/account-suspension/resource";
import { describePlan, planEntry, reversalNote, type EntryPlan } from "../offboarding/plan";
import { resolveSettings } from "../docspace/settings";
import { isDocSpaceError } from "../docspace/errors";
import { portalSettings, readSetting, type SettingsSource } from "../settings-reader";
import { logicalName } from "./names";
import { preflightFile } from "./preflight";
import { publishImpacts } from "./impact-report";
import { lookAtLedger } from "../history/program-look";
import type { Json } from "../impact/render";
import type { FileCheck } from "../resources/step/pulumi-props";

export interface OffboardingProgramOptions {
  /** The offboarding file; default: docspace:offboardingFile, else offboarding.yaml in the project directory. */
  file?: string;
  /** Directory a relative `file` is resolved from; default the program's working directory (the project). */
  baseDir?: string;
}

/**
 * Per entry: the furthest step's outcome (removal, else transfer, else the suspension's status),
 * read from its record; or, for an entry whose account DocSpace does not have now, only that
 * (`notAtDocSpace`): its records are not read (`pulumi-docspace audit` shows them, with the proof).
 */
export interface AccountOutcome {
  action: string;
  status?: pulumi.Output<string>;
  /** DocSpace has no such account now (none has the email, or the id is gone): the entry is settled as far as the portal goes. */
  notAtDocSpace?: true;
  taskId?: pulumi.Output<string>;
  startedAt?: pulumi.Output<string>;
  completedAt?: pulumi.Output<string | undefined>;
  mode?: pulumi.Output<string>;
  /** For a dated removal: the date, and whether this run removes it. */
  removeAfter?: string;
  removalDue?: boolean;
  /** For a disabled account: whether this stack disabled it (for the audit trail; taking the entry out never re-enables it). */
  disabledByStack?: pulumi.Output<boolean>;
}

/** The stack outputs: the audit trail, and nothing that grows with every resource's whole state. */
export interface OffboardingOutputs {
  offboardingFile: string;
  accounts: Record<string, AccountOutcome>;
  totals: pulumi.Output<Record<string, number>>;
  /** What this run does to each newly offboarded person's data (previews only; absent when nothing is planned). */
  impact?: Record<string, Json>;
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

/**
 * The stack config as the settings reader sees it. Raw values, not Outputs: an Output still
 * pending when a refused program ends keeps Pulumi's runtime busy reporting it. The key is only
 * handed to the client; never logged or stored here.
 */
const STACK: SettingsSource = { config: { get: (key) => pulumi.runtime.getConfig(key) } };

/** A setting problem as Pulumi shows it: the message alone, which names the setting. */
function setting<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (isDocSpaceError(e)) throw new pulumi.RunError(e.message);
    throw e;
  }
}

interface Run {
  file: string;
  parsed: OffboardingFile;
  plans: EntryPlan[];
  /** What the whole-file look found for the entries it would start on (preflight.ts), by entry name. */
  checked: ReadonlyMap<string, FileCheck>;
  /** Entries whose account the look did not find at DocSpace: their records' outputs are not read. */
  notAtDocSpace: ReadonlySet<string>;
}

/**
 * `module.exports = defineOffboarding()`. First a read-only look at every entry through the gate:
 * any problem in the file, or more new removals than docspace:maxRemovalsPerRun, refuses the run
 * with file and line before a resource is declared. That is why there is no variant without the
 * look: with `--skip-preview` the engine checks and creates in one pass, so only a look before
 * declaring can refuse a run as a whole. Previews also show what each step does to the person's
 * data. Then it declares each entry's resources for this day; the result is the stack outputs.
 */
export async function defineOffboarding(options: OffboardingProgramOptions = {}): Promise<OffboardingOutputs> {
  const file = options.file ?? setting(() => readSetting("offboardingFile", STACK));
  const filePath = resolveFromProject(file, options);
  const parsed = load(filePath);
  // The ledger next to the file (../history): entries it shows erased are refused before the portal is read.
  const archived = lookAtLedger(filePath, file, parsed);
  if (archived.problems.length > 0) throw new pulumi.RunError(archived.message);
  const day = setting(() => readSetting("today", STACK));
  const limit = setting(() => readSetting("maxRemovalsPerRun", STACK));
  const previewOnly = setting(() => readSetting("previewOnly", STACK));
  // The impact is the plan's: read for previews (and `up`'s own preview), not again while applying,
  // so the stack keeps no stale copy and a preview after an `up` shows no change.
  const maxImpacts = pulumi.runtime.isDryRun() ? setting(() => readSetting("maxImpactReads", STACK)) : 0;
  const summaryFile = setting(() => readSetting("summaryFile", STACK));
  // No look without a portal: a missing or bad URL or key refuses the run here, naming the setting.
  const portal = setting(() => {
    const input = portalSettings(STACK);
    resolveSettings(input);
    return input;
  });
  const found = await preflightFile(parsed, portal, limit, day, previewOnly, maxImpacts);
  const run: Run = { file, parsed, plans: parsed.removals.map((r) => planEntry(r, day)), checked: found.checked, notAtDocSpace: found.notAtDocSpace };
  if (found.problems.length > 0) {
    const unique = [...new Set(found.problems)];
    const absent = found.absent.length > 0 ? `\nAlso without an account (a typo; or, if an earlier run removed it, expected):\n  ${found.absent.join("\n  ")}` : "";
    throw new pulumi.RunError(`${file}: ${unique.length === 1 ? "a problem" : `${unique.length} problems`}; nothing was done:\n  ${unique.join("\n  ")}${absent}`);
  }
  const impact = found.impacts ? publishImpacts(found.impacts, { summaryFile: summaryFile ? resolveFromProject(summaryFile, options) : undefined }) : undefined;
  logLines(planLines(parsed.removals, run.plans, found.disabledNow));
  // Archived entries whose records leave the stack: what the preview's delete of each means.
  logLines(archived.notes);
  const declared = await inFreshTurn(declare, run);
  return { ...declared, ...(impact && Object.keys(impact).length > 0 ? { impact } : {}) };
}

/**
 * Logs lines as the stack's diagnostics, many lines to a message: the CLI prints each line of a
 * message on its own line under the stack, exactly as one message per line, but each message is an
 * RPC to the engine with its own promises and buffers (one per entry of a file of thousands cost
 * about 15 KB each in the program's peak memory). Messages stay well under gRPC's size limit.
 */
function logLines(lines: readonly string[], perMessage = 1000): void {
  for (let i = 0; i < lines.length; i += perMessage) void pulumi.log.info(lines.slice(i, i + perMessage).join("\n"));
}

/**
 * Runs `f` from a fresh turn of the event loop. Pulumi stores each resource's call stack in the
 * state, every frame up to the program's entry; from here it is only the declaring lines (about
 * 300 bytes less per record).
 */
function inFreshTurn<A, T>(f: (arg: A) => T, arg: A): Promise<T> {
  return new Promise((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(f(arg));
      } catch (e) {
        reject(e);
      }
    }),
  );
}

/**
 * One line per entry: what this run does to it (and, for a suspension, which way taking the entry
 * out goes, from whether the account is disabled now). The preview prints these; so does the
 * demo without the CLI, from this same function through the program.
 */
export function planLines(entries: readonly Removal[], plans: readonly EntryPlan[], disabledNow?: ReadonlyMap<string, boolean>): string[] {
  return entries.map((r, i) => {
    const plan = plans[i]!;
    const name = logicalName(r);
    const what = r.alreadyRemoved ? "recorded as already removed (nothing is started)" : describePlan(plan);
    const reversal = reversalNote(plan, disabledNow?.get(name));
    return `${name} (${r.action}${r.removeAfter ? `, removeAfter ${r.removeAfter}` : ""}): ${what}${reversal ? `; ${reversal}` : ""}`;
  });
}

/**
 * The outputs the stack outputs read from each record, and nothing more: Pulumi's SDK keeps, per
 * resource, an Output of four promises (each with a captured stack trace) for every property the
 * program asks for, and the stack outputs' references to them until the engine has answered for
 * every resource. So an entry whose account DocSpace no longer has (settled: typically a
 * finished removal, thousands of them in a stack that is never archived) asks for none.
 */
const TASK_OUTPUTS = ["status", "taskId", "startedAt", "completedAt", "mode"] as const;
const NONE = [] as const;

/** The resources of every entry, and the outputs that record them. */
function declare({ file, parsed, plans, checked, notAtDocSpace }: Run): Omit<OffboardingOutputs, "impact"> {
  const accounts: Record<string, AccountOutcome> = {};
  const statuses: Array<pulumi.Output<string>> = [];
  let settled = 0;
  // A plain loop, not forEach: every frame between here and the event loop is stored with each resource.
  for (const [i, r] of parsed.removals.entries()) {
    const plan = plans[i]!;
    const name = logicalName(r);
    const account = { email: r.email, userId: r.id };
    const common = { ...account, allowAdmin: r.allowAdmin || undefined, reason: r.reason };
    // The look asked the gate about the entry's furthest step: what it found answers that step's
    // check, and the suspension's (disabling is judged by the first of the same rules). A transfer
    // before a due removal is judged differently (a running task) and checks for itself.
    const told = checked.get(name);
    const gone = notAtDocSpace.has(name);
    // Each later step waits for the earlier ones, so the suspension records who disabled the account.
    const before: pulumi.Resource[] = [];
    let suspension: AccountSuspension | undefined;
    if (plan.suspend) {
      const read = gone ? NONE : plan.transfer || plan.remove ? (["disabledByStack"] as const) : (["status", "disabledByStack"] as const);
      suspension = new AccountSuspension(name, { ...common, handedOver: plan.suspend.handedOver || undefined, fileCheck: told }, undefined, read);
      before.push(suspension);
    }
    let transfer: DataTransfer | undefined;
    if (plan.transfer) {
      // A due removal takes its own transfer's status as an input (afterTransfer), so it is read then too.
      const read = plan.remove ? (["status"] as const) : gone ? NONE : TASK_OUTPUTS;
      transfer = new DataTransfer(name, { ...common, transferTo: r.transferTo!, timeoutSeconds: r.timeoutSeconds, fileCheck: plan.remove ? undefined : told }, { dependsOn: [...before] }, read);
      before.push(transfer);
    }
    let removal: UserRemoval | undefined;
    if (plan.remove) {
      removal = new UserRemoval(
        name,
        { ...common, transferTo: r.transferTo, alreadyRemoved: r.alreadyRemoved || undefined, timeoutSeconds: r.timeoutSeconds, removeAfter: r.removeAfter, fileCheck: told, afterTransfer: transfer },
        before.length > 0 ? { dependsOn: [...before] } : undefined,
        "UserRemoval",
        gone ? NONE : TASK_OUTPUTS,
      );
    }
    const due = plan.due ? { removeAfter: plan.due.date, removalDue: plan.remove } : {};
    if (gone) {
      settled++;
      accounts[name] = { action: r.action, notAtDocSpace: true, ...due };
      continue;
    }
    const task = removal ?? transfer;
    const status = task ? task.status : suspension!.status;
    statuses.push(status);
    accounts[name] = {
      action: r.action,
      status,
      ...(task ? { taskId: task.taskId, startedAt: task.startedAt, completedAt: task.completedAt, mode: task.mode } : {}),
      ...due,
      ...(suspension ? { disabledByStack: suspension.disabledByStack } : {}),
    };
  }
  const total = parsed.removals.length;
  const totals = pulumi.all(statuses).apply((all) => {
    const out: Record<string, number> = { total };
    if (settled > 0) out.notAtDocSpace = settled;
    for (const s of all) out[s ?? "Unknown"] = (out[s ?? "Unknown"] ?? 0) + 1;
    return out;
  });
  return { offboardingFile: file, accounts, totals };
}
