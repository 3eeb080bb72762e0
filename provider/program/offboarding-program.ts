/**
 * The offboarding program: one UserRemoval per entry of the offboarding file, named after the
 * account (never its position), and stack outputs for the audit trail.
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { loadOffboardingFile, OffboardingFileError, type OffboardingFile, type Removal } from "../offboarding/parse";
import { UserRemoval } from "../resources/user-removal";
import { removalLimit } from "../resources/credentials";
import { isDocSpaceError } from "../docspace/errors";

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

/** The logical name: the account itself, so reordering or inserting entries changes nothing. */
export function logicalName(r: Pick<Removal, "email" | "id">): string {
  return r.email ?? r.id!;
}

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

export function defineOffboarding(options: OffboardingProgramOptions = {}): OffboardingOutputs {
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
