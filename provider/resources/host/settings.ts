/**
 * One provider host's settings: the `docspace:*` stack config handed to `configure`, else DOCSPACE_*
 * environment variables read at call time, by the one rule of settings-reader.ts; and the client
 * for the configured portal. Nothing here is ever captured in a serialized provider, an input or an
 * output. Held by the host's context (context.ts).
 */
import { DocSpaceClient } from "../../docspace/client";
import { DocSpaceError } from "../../docspace/errors";
import { portalSettings, readSetting, SETTING_NAMES, type ConfigSource, type SettingsSource } from "../../settings-reader";

export class HostSettings {
  /** The stack config last handed to `configure` (only the package's own keys), kept as plain values. */
  private configured = new Map<string, unknown>();
  /** One client per portal settings, so that this host's steps share its limits and task slots. */
  private readonly clients = new Map<string, DocSpaceClient>();

  private source(): SettingsSource {
    return { config: { get: (key) => this.configured.get(key) } };
  }

  /** Called from the providers' `configure` with the stack's config. */
  configure(config: ConfigSource): void {
    const next = new Map<string, unknown>();
    for (const name of SETTING_NAMES) {
      const v = config.get(`docspace:${name}`);
      if (v !== undefined && v !== null && v !== "") next.set(`docspace:${name}`, v);
    }
    this.configured = next;
  }

  /** Today for removal schedules: docspace:today, else DOCSPACE_TODAY, else the UTC date. */
  scheduleDay(): string {
    return readSetting("today", this.source());
  }

  /** The per-run guard's limit: docspace:maxRemovalsPerRun, else DOCSPACE_MAX_REMOVALS_PER_RUN, else 20. */
  maxRemovalsPerRun(): number {
    return readSetting("maxRemovalsPerRun", this.source());
  }

  /** How often a followed task is polled: docspace:pollMinMs / pollMaxMs (DOCSPACE_POLL_MIN_MS / _MAX_MS). */
  pollPacing(): { pollMinMs: number; pollMaxMs: number } {
    const pollMinMs = readSetting("pollMinMs", this.source());
    return { pollMinMs, pollMaxMs: Math.max(pollMinMs, readSetting("pollMaxMs", this.source())) };
  }

  /** How long a task this stack started, that DocSpace does not show, is treated as possibly queued (docspace:unseenTaskHours), in ms. */
  unseenTaskHoldMs(): number {
    return readSetting("unseenTaskHours", this.source()) * 3_600_000;
  }

  /**
   * docspace:previewOnly (or DOCSPACE_PREVIEW_ONLY): a run that may only preview, for a pull-request
   * job with a read-only key. Its previews are not refused for the key's missing write permission,
   * and every start is refused.
   */
  previewOnly(): boolean {
    return readSetting("previewOnly", this.source());
  }

  /** In a preview-only run, refuses a step that would write (`what`, e.g. "remove a@b.c"), saying what did not happen. */
  refuseIfPreviewOnly(what: string, nothing: string): void {
    if (!this.previewOnly()) return;
    throw new DocSpaceError("configuration", `Refusing to ${what}: this run is preview-only (docspace:previewOnly / DOCSPACE_PREVIEW_ONLY is set). ${nothing} Apply from the job that holds the write key.`, { notSent: true });
  }

  /** The client for the configured portal; one per settings in this host. */
  portalClient(): DocSpaceClient {
    const input = portalSettings(this.source());
    const cacheKey = JSON.stringify(input);
    let client = this.clients.get(cacheKey);
    if (!client) {
      client = new DocSpaceClient(input);
      this.clients.set(cacheKey, client);
    }
    return client;
  }
}
