/** Helpers for what Pulumi hands dynamic providers and gets back from `check`, shared by both resources. */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { isDocSpaceError } from "../../docspace/errors";
import { guidSchema } from "../../docspace/schemas";

/** Pulumi's placeholder for a value not known during preview (it arrives in any field). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

/** A resource's arguments from its inputs' schema type: each optional, a value or an Output of one. */
export type PulumiArgs<T> = { [K in keyof T]?: import("@pulumi/pulumi").Input<NonNullable<T[K]>> } & {
  /**
   * @internal Set by defineOffboarding, never by hand: its look at the whole file found this
   * account (and successor) a moment ago and would start this step, so the check reads nothing
   * again. The create still reads everything fresh. Its value is not stored.
   */
  fileCheck?: FileCheck;
};

/** The Outputs a resource object exposes: the named fields of its stored state, typed from the state's schema. */
export type PulumiOutputs<S, K extends keyof S> = { readonly [P in K]: import("@pulumi/pulumi").Output<S[P]> };

export function withoutProvider(props: Props): Props {
  const { __provider: _ignored, ...rest } = props;
  void _ignored;
  return rest;
}

/**
 * What the program's whole-file look (program/preflight.ts) tells the resources it declares for an
 * entry the gate would start on: the accounts it found, a moment ago, in the same run. Pulumi
 * checks resources one at a time, so a check that read them again would cost a request per entry
 * for what the look answered many per request; the check reads nothing then. The create's gate
 * still reads everything fresh. Its value is never stored: check returns the inputs as the
 * resource's schema parses them, which drops it like any key it does not know (Pulumi keeps only
 * the input's name, in the record's property dependencies).
 */
export const fileCheckSchema = z.object({
  /** The account the look found, and the successor it resolved. */
  userId: guidSchema,
  successorId: guidSchema.optional(),
  /** What the entry asked the look about, lower-cased: its email (or id) and its transferTo. */
  email: z.string().optional(),
  transferTo: z.string().optional(),
});
export type FileCheck = z.infer<typeof fileCheckSchema>;

/**
 * The look's word for this entry, only when it vouches for exactly what the entry names: the
 * account (by the id or the email the entry gives) and, where the resource has one, the successor.
 * Anything else (a hand-written resource copying another entry's finding, say) gets nothing,
 * and its check asks the gate itself.
 */
export function fileCheckOf(news: Props, entry: { userId?: string; email?: string }, successor?: { transferTo?: string }): FileCheck | undefined {
  const told = fileCheckSchema.safeParse(news.fileCheck);
  if (!told.success) return undefined;
  const same = (a: string | undefined, b: string | undefined): boolean => (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
  const account = entry.userId !== undefined ? same(entry.userId, told.data.userId) : entry.email !== undefined && same(entry.email, told.data.email);
  if (!account) return undefined;
  if (successor !== undefined && !same(successor.transferTo, told.data.transferTo)) return undefined;
  return told.data;
}

/**
 * A removal's `ownTransfer` input: its entry also declares a DataTransfer that the engine runs
 * before it (the program sets it, with that transfer's status as the stack holds it). Whether that
 * transfer is unfinished: any status but Completed, or unknown (the engine creates or updates it in
 * this run). A transfer running now may then be the entry's own. Never stored: check returns the
 * inputs as the schema parses them, which drops it.
 */
export function ownTransferRuns(news: Props): boolean {
  const own = news.ownTransfer;
  if (own === undefined || own === null) return false;
  if (typeof own !== "object") return own === UNKNOWN;
  return (own as { status?: unknown }).status !== "Completed";
}

export function containsUnknown(props: Props): boolean {
  return Object.values(props).some((v) => v === UNKNOWN);
}

/** As Pulumi stores it: a protobuf Struct cannot hold undefined, so absent fields are dropped. */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** One check failure per invalid input, naming the property. */
export function inputFailures(error: z.ZodError): dynamic.CheckFailure[] {
  return error.issues.map((i) => ({ property: String(i.path[0] ?? ""), reason: `${String(i.path[0] ?? "inputs")} ${i.message}` }));
}

/**
 * Settings, key or portal trouble met during a check, as a failure: it prints the message alone,
 * without a stack trace. Anything else (a bug) is rethrown. Settings and key problems belong to no
 * input, so they name no property.
 */
export function portalFailure(e: unknown, property: string): dynamic.CheckFailure {
  if (!isDocSpaceError(e)) throw e;
  return { property: e.kind === "configuration" || e.kind === "authentication" ? "" : property, reason: e.message };
}

/** A step's inputs, which check has already validated: anything else is a bug, named by resource and input. */
export function parseStepInputs<S extends z.ZodType>(schema: S, props: Props, resource: string): z.infer<S> {
  const parsed = schema.safeParse(withoutProvider(props));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`Invalid ${resource} inputs: ${String(i.path[0] ?? "inputs")} ${i.message}.`);
  }
  return parsed.data;
}

/** The checked inputs as Pulumi stores them, keeping the serialized provider it sent. */
export function withProviderOf(inputs: object, news: Props): Props {
  const checked: Props = { ...inputs };
  return news.__provider === undefined ? checked : { ...checked, __provider: news.__provider };
}

export interface PreviousInputs {
  email?: string;
  userId?: string;
  transferTo?: string;
}

/** The stored inputs of an entry already in the stack, read leniently (another version may have written them). */
export function previousInputs(olds: Props | undefined): PreviousInputs | undefined {
  const prev = withoutProvider(olds ?? {});
  if (Object.keys(prev).length === 0) return undefined;
  const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined);
  return { email: text(prev.email), userId: text(prev.userId), transferTo: text(prev.transferTo) };
}

/** Whether the new inputs name the account the stored ones named. */
export function isSameAccount(a: PreviousInputs | undefined, b: { email?: string; userId?: string }): boolean {
  if (a === undefined) return false;
  if (b.userId !== undefined && a.userId !== undefined) return a.userId === b.userId.toLowerCase();
  if (b.email !== undefined && a.email !== undefined) return a.email === b.email.toLowerCase();
  return false;
}

/** Stored state, read leniently (defaults for fields older versions did not write); unreadable state says what to do. */
export function parseStoredState<S extends z.ZodType>(schema: S, defaults: Props, props: Props, resource: string, advice: string): z.infer<S> {
  const parsed = schema.safeParse({ ...defaults, ...withoutProvider(props) });
  if (!parsed.success) {
    throw new Error(`The stored state of this ${resource} is not readable (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}). ${advice}`);
  }
  return parsed.data;
}

/**
 * The property map a dynamic resource registers: every input given (one left undefined is not sent
 * to the engine anyway), and each of `outputs` not among them, to be filled from the record.
 */
export function registeredProps(args: object, outputs: readonly string[]): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (v !== undefined) props[k] = v;
  for (const k of outputs) if (!(k in props)) props[k] = undefined;
  return props;
}
