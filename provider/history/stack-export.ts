/**
 * The stack's records, from `pulumi stack export` (run here, or its output saved in a file): the
 * export's shape as a zod schema, and this package's records in it, each read by the provider's own
 * state reader. Nothing else in the export (the default provider's config, with the API key, in
 * particular) is read or kept.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { boundText } from "../docspace/errors";
import { parseState, type UserRemovalState } from "../resources/user-removal/record";
import { parseSuspensionState, type SuspensionState } from "../resources/account-suspension/record";

const propsSchema = z.record(z.string(), z.unknown());

/** One resource as `pulumi stack export` writes it (version 3); only the fields read here are checked. */
export const exportedResourceSchema = z.looseObject({
  urn: z.string().startsWith("urn:pulumi:"),
  type: z.string(),
  id: z.string().optional(),
  inputs: propsSchema.optional(),
  outputs: propsSchema.optional(),
  /** Set when the last create or update failed after the resource came to exist (a step left unfinished). */
  initErrors: z.array(z.string()).optional(),
  /** Set on an old record waiting to be deleted after a replacement. */
  delete: z.boolean().optional(),
});

export const stackExportSchema = z.looseObject({
  version: z.number().int(),
  deployment: z.looseObject({
    resources: z.array(exportedResourceSchema).nullish(),
    /** Operations an interrupted run left (an interrupted create leaves its resource here only). */
    pending_operations: z.array(z.looseObject({ resource: z.looseObject({ urn: z.string() }), type: z.string() })).nullish(),
  }),
});
export type StackExport = z.infer<typeof stackExportSchema>;

export const RECORD_TYPES = {
  "pulumi-nodejs:dynamic/docspace:UserRemoval": "UserRemoval",
  "pulumi-nodejs:dynamic/docspace:DataTransfer": "DataTransfer",
  "pulumi-nodejs:dynamic/docspace:AccountSuspension": "AccountSuspension",
} as const;
export type RecordType = (typeof RECORD_TYPES)[keyof typeof RECORD_TYPES];

interface RecordBase {
  urn: string;
  id: string;
  stack: string;
  project: string;
  /** The resource's name: the entry's email or id. */
  entry: string;
  /** Why the step is not finished, from the engine's own bookkeeping (a failed create, an interrupted one). */
  unfinished?: string;
  /** The entry's removeAfter, from the record's inputs (the stored state does not keep it). */
  removeAfter?: string;
}

/** A record of this package, as its provider reads it; `unreadable` when it cannot (written by an unknown version, encrypted fields). */
export type StackRecord =
  | (RecordBase & { type: "UserRemoval" | "DataTransfer"; state: UserRemovalState })
  | (RecordBase & { type: "AccountSuspension"; state: SuspensionState })
  | (RecordBase & { type: RecordType; state?: undefined; unreadable: string });

export class StackExportError extends Error {}

/** The stack, project and name in a URN: urn:pulumi:<stack>::<project>::<type>::<name>. */
export function splitUrn(urn: string): { stack: string; project: string; name: string } {
  const parts = urn.slice("urn:pulumi:".length).split("::");
  return { stack: parts[0] ?? "", project: parts[1] ?? "", name: parts.slice(3).join("::") };
}

/** Parses the text of an export; `label` names where it came from in messages. */
export function parseStackExport(text: string, label: string): StackExport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StackExportError(`${label} is not JSON: give the output of \`pulumi stack export\` (without --show-secrets; nothing secret is needed).`);
  }
  const parsed = stackExportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StackExportError(`${label} is not a Pulumi stack export (${issue.path.join(".") || "top"}: ${issue.message}): give the output of \`pulumi stack export\`.`);
  }
  if (parsed.data.version !== 3) throw new StackExportError(`${label} is a stack export of version ${parsed.data.version}; this command reads version 3 (Pulumi 3.x).`);
  return parsed.data;
}

/** This package's records in an export, in the export's order. */
export function recordsOf(exported: StackExport): StackRecord[] {
  const pending = new Map((exported.deployment.pending_operations ?? []).map((p) => [p.resource.urn, p.type]));
  const out: StackRecord[] = [];
  for (const r of exported.deployment.resources ?? []) {
    const type = (RECORD_TYPES as Record<string, RecordType | undefined>)[r.type];
    if (type === undefined) continue;
    const { stack, project, name } = splitUrn(r.urn);
    const op = pending.get(r.urn);
    const unfinished = r.initErrors?.length
      ? `its last step failed part-way (${boundText(r.initErrors[0]!, 200)})`
      : op !== undefined
        ? `an interrupted \`pulumi up\` left a pending ${op} operation on it`
        : undefined;
    const removeAfter = r.inputs?.removeAfter;
    const base: RecordBase = {
      urn: r.urn,
      id: r.id ?? "",
      stack,
      project,
      entry: name,
      ...(unfinished ? { unfinished } : {}),
      ...(typeof removeAfter === "string" && /^\d{4}-\d{2}-\d{2}$/.test(removeAfter) ? { removeAfter } : {}),
    };
    const outputs = r.outputs ?? {};
    try {
      if (type === "AccountSuspension") out.push({ ...base, type, state: parseSuspensionState(outputs) });
      else out.push({ ...base, type, state: parseState(outputs) });
    } catch (e) {
      const secret = Object.values(outputs).some((v) => typeof v === "object" && v !== null && "4dabf18193072939515e22adb298388d" in v);
      out.push({ ...base, type, unreadable: secret ? "its record has encrypted (secret) fields, which this command does not decrypt" : boundText(e instanceof Error ? e.message : String(e), 300) });
    }
  }
  return out;
}

/**
 * The offboarding file the stack applies, when its config says (`docspace:offboardingFile`, kept
 * in plain text as an input of the default pulumi-nodejs provider). Only that one setting is read.
 */
export function configuredOffboardingFile(exported: StackExport): string | undefined {
  const provider = (exported.deployment.resources ?? []).find((r) => r.type === "pulumi:providers:pulumi-nodejs" && r.urn.endsWith("::default"));
  const value = provider?.inputs?.["docspace:offboardingFile"];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Reads an export from a file (`--state`). */
export function readExportFile(path: string, label = path): StackExport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StackExportError(`${label}: ${code === "ENOENT" ? "there is no such file" : `cannot be read (${code ?? "error"})`}. Give a file holding the output of \`pulumi stack export\`.`);
  }
  return parseStackExport(text, label);
}

/** Runs `pulumi stack export` (the CLI on PATH) in `cwd`, for the current stack or `stack`. */
export function runStackExport(cwd: string, env: NodeJS.ProcessEnv, stack?: string): Promise<StackExport> {
  const args = ["stack", "export", "--non-interactive", ...(stack ? ["--stack", stack] : [])];
  const label = `\`pulumi ${args.join(" ")}\``;
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        new StackExportError(
          e.code === "ENOENT"
            ? "the pulumi CLI is not on PATH, so the stack's records cannot be read. Install it (https://www.pulumi.com/docs/install/), or save `pulumi stack export` output to a file elsewhere and give it with --state <file>."
            : `${label} could not start (${e.code ?? e.message}).`,
        ),
      ),
    );
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new StackExportError(`${label} failed (exit ${code}): ${boundText(err.trim(), 600) || "no message"}. Select the stack with --stack <name> (or \`pulumi stack select\`), log in to its backend, or give --state <file>.`));
        return;
      }
      try {
        resolve(parseStackExport(Buffer.concat(chunks).toString("utf8"), label));
      } catch (e) {
        reject(e);
      }
    });
  });
}
