/**
 * Every setting of the package, read by one rule: the stack config `docspace:<name>`, else the
 * environment variable `DOCSPACE_<NAME>`, else the default. The program, the providers (through
 * resources/host/settings.ts) and the report command all read here, so a setting cannot mean one thing to the
 * preview and another to the provider host. A bad value fails with the name of the setting it
 * came from (config key or environment variable). The API key is passed through, never echoed.
 */
import { z } from "zod";
import { DocSpaceError } from "./docspace/errors";
import { parseApiKey, parsePortalUrl, PORTAL_DEFAULTS, settingsInputSchema, type SettingsInput } from "./docspace/settings";
import { daySchema } from "./entry-rules";
import { utcDay } from "./clock";

/** Where stack config comes from: `pulumi.Config`-like, or `configure`'s request (`get("docspace:url")`). */
export interface ConfigSource {
  get(key: string): unknown;
}

export interface SettingsSource {
  /** Stack config, read as `docspace:<name>`; absent: the environment and defaults only. */
  config?: ConfigSource;
  /** Default: process.env, read at call time (a test or a job may change it between calls). */
  env?: NodeJS.ProcessEnv;
  /** How the config source names a setting in messages; default `docspace:<name>` (the report's options say `--url`). */
  configLabel?: (name: SettingName) => string;
}

const wholeNumber = (min: number) => z.coerce.number().int().min(min);

/**
 * One line per setting: its parser, what a good value looks like (for the message), how to fix
 * it, and its default (the client's from docspace/settings.ts PORTAL_DEFAULTS, the one table of
 * them). The order is the README's table.
 */
export const SPECS = {
  url: { schema: z.string(), expected: "", fix: "" },
  apiKey: { schema: z.string(), expected: "", fix: "" },
  offboardingFile: { schema: z.string(), expected: "", fix: "", fallback: "offboarding.yaml" },
  maxRemovalsPerRun: {
    schema: wholeNumber(0),
    expected: "a whole number of removals, 0 or more",
    fix: "Set it with `pulumi config set docspace:maxRemovalsPerRun 50`.",
    fallback: 20,
  },
  maxConcurrentRequests: { schema: settingsInputSchema.shape.maxConcurrentRequests, expected: "a whole number from 1 to 1000", fix: "", fallback: PORTAL_DEFAULTS.maxConcurrentRequests },
  maxConcurrentWrites: { schema: settingsInputSchema.shape.maxConcurrentWrites, expected: "a whole number from 1 to 1000", fix: "", fallback: PORTAL_DEFAULTS.maxConcurrentWrites },
  requestsPerMinute: { schema: settingsInputSchema.shape.requestsPerMinute, expected: "a whole number from 1 to 1000000", fix: "", fallback: PORTAL_DEFAULTS.requestsPerMinute },
  rateWindowMs: { schema: settingsInputSchema.shape.rateWindowMs, expected: "a whole number of milliseconds, 1 or more", fix: "", fallback: PORTAL_DEFAULTS.rateWindowMs },
  requestTimeoutMs: { schema: settingsInputSchema.shape.requestTimeoutMs, expected: "a whole number of milliseconds, 1 or more", fix: "", fallback: PORTAL_DEFAULTS.requestTimeoutMs },
  maxRetries: { schema: settingsInputSchema.shape.maxRetries, expected: "a whole number from 0 to 20", fix: "", fallback: PORTAL_DEFAULTS.maxRetries },
  maxRetryDelayMs: { schema: settingsInputSchema.shape.maxRetryDelayMs, expected: "a whole number of milliseconds, 0 or more", fix: "", fallback: PORTAL_DEFAULTS.maxRetryDelayMs },
  tasksPerQueue: { schema: settingsInputSchema.shape.tasksPerQueue, expected: "a whole number from 1 to 50", fix: "DocSpace runs one task at a time per queue; raise it only for a portal with several server processes.", fallback: PORTAL_DEFAULTS.tasksPerQueue },
  unseenTaskHours: {
    schema: z.coerce.number().positive().max(24 * 30),
    expected: "a number of hours above 0 (at most 720)",
    fix: "Set it with `pulumi config set docspace:unseenTaskHours 24`.",
    fallback: 24,
  },
  pollMinMs: { schema: wholeNumber(1), expected: "a whole number of milliseconds, 1 or more", fix: "", fallback: 1000 },
  pollMaxMs: { schema: wholeNumber(1), expected: "a whole number of milliseconds, 1 or more", fix: "", fallback: 10_000 },
  summaryFile: { schema: z.string(), expected: "", fix: "" },
  maxImpactReads: {
    schema: wholeNumber(0),
    expected: "a whole number, 0 or more",
    fix: "Set it with `pulumi config set docspace:maxImpactReads 100`.",
    fallback: 100,
  },
  // A typo must not quietly turn a preview-only job into one that may write: only these words count.
  previewOnly: {
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(["true", "1", "yes", "false", "0", "no"]))
      .transform((v) => v === "true" || v === "1" || v === "yes"),
    expected: "true or false",
    fix: "",
    fallback: false,
  },
  today: {
    schema: daySchema,
    expected: "a date written YYYY-MM-DD",
    fix: "Unset it to use today's date (UTC).",
    fallback: (): string => utcDay(),
  },
} as const;

export type SettingName = keyof typeof SPECS;
type Spec<N extends SettingName> = (typeof SPECS)[N];
type Parsed<N extends SettingName> = z.output<Spec<N>["schema"]>;
/** A setting's value: with a default, always there; without one, possibly undefined. */
export type SettingValue<N extends SettingName> = Spec<N> extends { fallback: infer F } ? (F extends () => infer R ? R : Parsed<N>) : Parsed<N> | undefined;

export const SETTING_NAMES = Object.keys(SPECS) as SettingName[];

/** The environment variable of a setting: maxRemovalsPerRun → DOCSPACE_MAX_REMOVALS_PER_RUN. */
export function envName(name: SettingName): string {
  return `DOCSPACE_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function present(v: unknown): v is string | number | boolean {
  return v !== undefined && v !== null && v !== "";
}

/** Where a setting's value comes from: config first, then the environment. */
function rawValue(name: SettingName, source: SettingsSource): { raw: string; where: string } | undefined {
  const fromConfig = source.config?.get(`docspace:${name}`);
  if (present(fromConfig)) return { raw: String(fromConfig), where: source.configLabel?.(name) ?? `docspace:${name}` };
  const fromEnv = (source.env ?? process.env)[envName(name)];
  if (present(fromEnv)) return { raw: fromEnv, where: envName(name) };
  return undefined;
}

/** One setting, by the one rule. Throws a configuration error naming the setting a bad value came from. */
export function readSetting<N extends SettingName>(name: N, source: SettingsSource = {}): SettingValue<N> {
  const spec: { schema: z.ZodType; expected: string; fix: string; fallback?: unknown } = SPECS[name];
  const found = rawValue(name, source);
  if (found === undefined) {
    const fallback = spec.fallback;
    return (typeof fallback === "function" ? (fallback as () => unknown)() : fallback) as SettingValue<N>;
  }
  const parsed = spec.schema.safeParse(found.raw);
  if (parsed.success) return parsed.data as SettingValue<N>;
  // Never echo the key; every other value is cut short.
  const got = name === "apiKey" ? "" : ` (got "${found.raw.slice(0, 40)}")`;
  throw new DocSpaceError("configuration", `${found.where} must be ${spec.expected}${got}.${spec.fix ? ` ${spec.fix}` : ""}`);
}

/** Every setting at once (each validated; the first bad one throws). */
export type Settings = { [N in SettingName]: SettingValue<N> };

export function readSettings(source: SettingsSource = {}): Settings {
  return Object.fromEntries(SETTING_NAMES.map((n) => [n, readSetting(n, source)])) as Settings;
}

const PORTAL_SETTINGS = ["url", "apiKey", "maxConcurrentRequests", "maxConcurrentWrites", "requestsPerMinute", "rateWindowMs", "requestTimeoutMs", "maxRetries", "maxRetryDelayMs", "tasksPerQueue"] as const;

/**
 * What a DocSpaceClient needs, by the same rule: the settings that are set (the client takes the
 * rest from PORTAL_DEFAULTS). The URL and key are checked here, by docspace/settings.ts's rules,
 * naming the place they came from (docspace:url, DOCSPACE_URL, or the report's --url); one left
 * unset is the client's to report.
 */
export function portalSettings(source: SettingsSource = {}): SettingsInput {
  const out: Record<string, unknown> = {};
  for (const name of PORTAL_SETTINGS) {
    const found = rawValue(name, source);
    if (found === undefined) continue;
    if (name === "url") out.url = parsePortalUrl(found.raw, found.where);
    else if (name === "apiKey") out.apiKey = parseApiKey(found.raw, found.where);
    else out[name] = readSetting(name, source);
  }
  return out as SettingsInput;
}
