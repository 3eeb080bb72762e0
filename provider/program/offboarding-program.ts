/**
 * The offboarding program: one UserRemoval per entry of the offboarding file, named after the
 * account (never its position), and stack outputs for the audit trail.
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { loadOffboardingFile, OffboardingFileError, type OffboardingFile } from "../offboarding/parse";
import { UserRemoval } from "../resources/user-removal";
import type { SettingsInput } from "../docspace/settings";
import { isPreviewOnly, removalLimit } from "../resources/credentials";
import { isDocSpaceError } from "../docspace/errors";
import { logicalName } from "./names";
import { preflightFile } from "./preflight";

export interface OffboardingProgramOptions {
  /** The offboarding file; default: docspace:offboardingFile, else offboarding.yaml in the project directory. */
  file?: string;
  /** Directory a relative `file` is resolved from; default the program's working directory (the project). */
  baseDir?: string;
}

export interface AccountOutcome {
  status: pulumi.Output<string>;
  taskId: pulumi.Output<string>;
  startedAt: pulumi.Output<string>;
  completedAt: pulumi.Output<string | undefined>;
  mode: pulumi.Output<string>;
}

export interface OffboardingOutputs {
  offboardingFile: string;
  accounts: Record<string, AccountOutcome>;
  totals: pulumi.Output<Record<string, number>>;
  removals: UserRemoval[];
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

interface Loaded {
  file: string;
  parsed: OffboardingFile;
  limit: number;
  config: pulumi.Config;
}

function loadWithLimit(options: OffboardingProgramOptions): Loaded {
  const config = new pulumi.Config("docspace");
  const file = options.file ?? config.get("offboardingFile") ?? "offboarding.yaml";
  const path = isAbsolute(file) ? file : join(options.baseDir ?? projectRoot(), file);
  const parsed = load(path);
  let limit: number;
  try {
    limit = removalLimit(config.get("maxRemovalsPerRun"), process.env.DOCSPACE_MAX_REMOVALS_PER_RUN);
  } catch (e) {
    if (isDocSpaceError(e)) throw new pulumi.RunError(e.message);
    throw e;
  }
  return { file, parsed, limit, config };
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
  if (settings) {
    const found = await preflightFile(loaded.parsed, settings, loaded.limit, isPreviewOnly(loaded.config.get("previewOnly"), process.env.DOCSPACE_PREVIEW_ONLY));
    if (found.problems.length > 0) {
      const unique = [...new Set(found.problems)];
      const absent = found.absent.length > 0 ? `\nAlso without an account (a typo; or, if an earlier run removed it, expected):\n  ${found.absent.join("\n  ")}` : "";
      throw new pulumi.RunError(`${loaded.file}: ${unique.length === 1 ? "a problem" : `${unique.length} problems`}; nothing was done:\n  ${unique.join("\n  ")}${absent}`);
    }
  }
  return declare(loaded);
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

function declare({ file, parsed, limit }: Loaded): OffboardingOutputs {
  if (parsed.removals.length > limit) {
    // The provider's check refuses the removal that would exceed the limit; say the numbers up front.
    void pulumi.log.warn(
      `${file} lists ${parsed.removals.length} accounts and docspace:maxRemovalsPerRun is ${limit}: this run fails if more than ${limit} of them are new to the stack. ` +
        `To allow it: pulumi config set docspace:maxRemovalsPerRun ${parsed.removals.length}`,
    );
  }

  const removals = parsed.removals.map(
    (r) =>
      new UserRemoval(logicalName(r), {
        email: r.email,
        userId: r.id,
        transferTo: r.transferTo,
        allowAdmin: r.allowAdmin || undefined,
        alreadyRemoved: r.alreadyRemoved || undefined,
        reason: r.reason,
        timeoutSeconds: r.timeoutSeconds,
      }),
  );

  const accounts: Record<string, AccountOutcome> = {};
  parsed.removals.forEach((r, i) => {
    const res = removals[i]!;
    accounts[logicalName(r)] = { status: res.status, taskId: res.taskId, startedAt: res.startedAt, completedAt: res.completedAt, mode: res.mode };
  });
  const totals = pulumi.all(removals.map((r) => r.status)).apply((statuses) => {
    const out: Record<string, number> = { total: statuses.length };
    for (const s of statuses) out[s ?? "Unknown"] = (out[s ?? "Unknown"] ?? 0) + 1;
    return out;
  });
  return { offboardingFile: file, accounts, totals, removals };
}
