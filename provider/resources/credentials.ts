/**
 * Where the resources get their portal and key: `docspace:*` stack config handed to `configure`
 * inside the provider host, else DOCSPACE_* environment variables read at call time. Nothing here
 * is ever captured in a serialized provider, an input or an output.
 */
import { DocSpaceClient } from "../docspace/client";
import { DocSpaceError } from "../docspace/errors";
import type { SettingsInput } from "../docspace/settings";
import { today } from "../clock";

interface ConfigSource {
  get(key: string): unknown;
}

/** Config keys (docspace:<name>) and their environment fallbacks. */
const SETTINGS: Array<[keyof SettingsInput, string, string]> = [
  ["url", "docspace:url", "DOCSPACE_URL"],
  ["apiKey", "docspace:apiKey", "DOCSPACE_API_KEY"],
  ["maxConcurrentRequests", "docspace:maxConcurrentRequests", "DOCSPACE_MAX_CONCURRENT_REQUESTS"],
  ["maxConcurrentWrites", "docspace:maxConcurrentWrites", "DOCSPACE_MAX_CONCURRENT_WRITES"],
  ["requestsPerMinute", "docspace:requestsPerMinute", "DOCSPACE_REQUESTS_PER_MINUTE"],
  ["rateWindowMs", "docspace:rateWindowMs", "DOCSPACE_RATE_WINDOW_MS"],
  ["requestTimeoutMs", "docspace:requestTimeoutMs", "DOCSPACE_REQUEST_TIMEOUT_MS"],
  ["maxRetries", "docspace:maxRetries", "DOCSPACE_MAX_RETRIES"],
  ["maxRetryDelayMs", "docspace:maxRetryDelayMs", "DOCSPACE_MAX_RETRY_DELAY_MS"],
];

let configured: Record<string, string> = {};
let removalsPerRun: string | undefined;
let previewOnlySetting: string | undefined;
let todaySetting: string | undefined;
const clients = new Map<string, DocSpaceClient>();

/** Called from the providers' `configure` with the stack's config. */
export function configureFromStack(config: ConfigSource): void {
  const next: Record<string, string> = {};
  for (const [name, key] of SETTINGS) {
    const v = config.get(key);
    if (v !== undefined && v !== null && v !== "") next[name] = String(v);
  }
  configured = next;
  const limit = config.get("docspace:maxRemovalsPerRun");
  removalsPerRun = limit === undefined || limit === null || limit === "" ? undefined : String(limit);
  const only = config.get("docspace:previewOnly");
  previewOnlySetting = only === undefined || only === null || only === "" ? undefined : String(only);
  const day = config.get("docspace:today");
  todaySetting = day === undefined || day === null || day === "" ? undefined : String(day);
}

/** Today for removal schedules: docspace:today, else DOCSPACE_TODAY, else the UTC date. */
export function scheduleDay(): string {
  return today(todaySetting, process.env.DOCSPACE_TODAY);
}

export const DEFAULT_MAX_REMOVALS_PER_RUN = 20;

/** The per-run guard's limit: docspace:maxRemovalsPerRun, else DOCSPACE_MAX_REMOVALS_PER_RUN, else 20. */
export function maxRemovalsPerRun(): number {
  return removalLimit(removalsPerRun, process.env.DOCSPACE_MAX_REMOVALS_PER_RUN);
}

/**
 * docspace:previewOnly (or DOCSPACE_PREVIEW_ONLY): a run that may only preview, for a pull-request
 * job with a read-only key. Its previews are not refused for the key's missing write permission,
 * and every start is refused.
 */
export function previewOnly(): boolean {
  return isPreviewOnly(previewOnlySetting, process.env.DOCSPACE_PREVIEW_ONLY);
}

/** In a preview-only run, refuses a step that would write (`what`, e.g. "remove a@b.c"), saying what did not happen. */
export function refuseIfPreviewOnly(what: string, nothing: string): void {
  if (!previewOnly()) return;
  throw new DocSpaceError("configuration", `Refusing to ${what}: this run is preview-only (docspace:previewOnly / DOCSPACE_PREVIEW_ONLY is set). ${nothing} Apply from the job that holds the write key.`, { notSent: true });
}

export function isPreviewOnly(fromConfig: string | undefined, fromEnv: string | undefined): boolean {
  const raw = (fromConfig ?? fromEnv ?? "").trim().toLowerCase();
  return raw === "true" || raw === "1" || raw === "yes";
}

/** The one reading of the limit, for the provider and the program alike; a bad value names its setting. */
export function removalLimit(fromConfig: string | undefined, fromEnv: string | undefined): number {
  const [raw, where] = fromConfig !== undefined && fromConfig !== "" ? [fromConfig, "docspace:maxRemovalsPerRun"] : [fromEnv, "DOCSPACE_MAX_REMOVALS_PER_RUN"];
  if (raw === undefined || raw === "") return DEFAULT_MAX_REMOVALS_PER_RUN;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new DocSpaceError("configuration", `${where} must be a whole number of removals, 0 or more (got "${String(raw).slice(0, 40)}"). Set it with \`pulumi config set docspace:maxRemovalsPerRun 50\`.`);
  }
  return n;
}

/** For tests: forget the stack config (environment variables apply again). */
export function resetConfiguration(): void {
  configured = {};
  removalsPerRun = undefined;
  previewOnlySetting = undefined;
  todaySetting = undefined;
  clients.clear();
}

/** The client for the configured portal; one per process and settings, so limits are shared. */
export function portalClient(): DocSpaceClient {
  const input: Record<string, string | undefined> = {};
  for (const [name, , env] of SETTINGS) input[name] = configured[name] ?? process.env[env];
  const cacheKey = JSON.stringify(input);
  let client = clients.get(cacheKey);
  if (!client) {
    client = new DocSpaceClient(input as SettingsInput);
    clients.set(cacheKey, client);
  }
  return client;
}
