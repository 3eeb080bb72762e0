/**
 * Where the resources get their settings: the `docspace:*` stack config handed to `configure`
 * inside the provider host, else DOCSPACE_* environment variables read at call time, by the one
 * rule of settings-reader.ts. Nothing here is ever captured in a serialized provider, an input or
 * an output.
 */
import { DocSpaceClient } from "../docspace/client";
import { DocSpaceError } from "../docspace/errors";
import { portalSettings, readSetting, SETTING_NAMES, type ConfigSource, type SettingsSource } from "../settings-reader";

/** The stack config last handed to `configure` (only the package's own keys), kept as plain values. */
let configured = new Map<string, unknown>();
const clients = new Map<string, DocSpaceClient>();

function source(): SettingsSource {
  return { config: { get: (key) => configured.get(key) } };
}

/** Called from the providers' `configure` with the stack's config. */
export function configureFromStack(config: ConfigSource): void {
  const next = new Map<string, unknown>();
  for (const name of SETTING_NAMES) {
    const v = config.get(`docspace:${name}`);
    if (v !== undefined && v !== null && v !== "") next.set(`docspace:${name}`, v);
  }
  configured = next;
}

/** Today for removal schedules: docspace:today, else DOCSPACE_TODAY, else the UTC date. */
export function scheduleDay(): string {
  return readSetting("today", source());
}

/** The per-run guard's limit: docspace:maxRemovalsPerRun, else DOCSPACE_MAX_REMOVALS_PER_RUN, else 20. */
export function maxRemovalsPerRun(): number {
  return readSetting("maxRemovalsPerRun", source());
}

/** How often a followed task is polled: docspace:pollMinMs / pollMaxMs (DOCSPACE_POLL_MIN_MS / _MAX_MS). */
export function pollPacing(): { pollMinMs: number; pollMaxMs: number } {
  const pollMinMs = readSetting("pollMinMs", source());
  return { pollMinMs, pollMaxMs: Math.max(pollMinMs, readSetting("pollMaxMs", source())) };
}

/** How long a task this stack started, that DocSpace does not show, is treated as possibly queued (docspace:unseenTaskHours), in ms. */
export function unseenTaskHoldMs(): number {
  return readSetting("unseenTaskHours", source()) * 3_600_000;
}

/**
 * docspace:previewOnly (or DOCSPACE_PREVIEW_ONLY): a run that may only preview, for a pull-request
 * job with a read-only key. Its previews are not refused for the key's missing write permission,
 * and every start is refused.
 */
export function previewOnly(): boolean {
  return readSetting("previewOnly", source());
}

/** In a preview-only run, refuses a step that would write (`what`, e.g. "remove a@b.c"), saying what did not happen. */
export function refuseIfPreviewOnly(what: string, nothing: string): void {
  if (!previewOnly()) return;
  throw new DocSpaceError("configuration", `Refusing to ${what}: this run is preview-only (docspace:previewOnly / DOCSPACE_PREVIEW_ONLY is set). ${nothing} Apply from the job that holds the write key.`, { notSent: true });
}

/** For tests: forget the stack config (environment variables apply again). */
export function resetConfiguration(): void {
  configured = new Map();
  clients.clear();
}

/** The client for the configured portal; one per process and settings, so limits are shared. */
export function portalClient(): DocSpaceClient {
  const input = portalSettings(source());
  const cacheKey = JSON.stringify(input);
  let client = clients.get(cacheKey);
  if (!client) {
    client = new DocSpaceClient(input);
    clients.set(cacheKey, client);
  }
  return client;
}
