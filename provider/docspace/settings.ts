/**
 * Connection settings for one portal: where it is, the key, and the client-side limits.
 * Validated here, at the edge, so that a bad URL or key fails with the name of the setting to fix
 * before any request is made. The key itself never appears in an error.
 */
import { z } from "zod";
import { DocSpaceError } from "./errors";
import type { PortalLimits } from "./limiter";

export interface PortalSettings {
  /** The portal's origin, e.g. https://example.onlyoffice.com (no path, no trailing slash). */
  origin: string;
  apiKey: string;
  limits: PortalLimits;
  /** Per-request timeout. */
  requestTimeoutMs: number;
  /** How many times a retryable request is tried again. */
  maxRetries: number;
  /** Longest single wait between retries, including a server's Retry-After. */
  maxRetryDelayMs: number;
  /** Tasks this process keeps in flight per DocSpace queue (remove, reassign): DocSpace runs one at a time. */
  tasksPerQueue: number;
}

/**
 * What each client setting is when nobody sets it: the one table of these defaults. The settings
 * reader's table (settings-reader.ts SPECS) names them for config and environment; a client built
 * without the reader gets the same.
 */
export const PORTAL_DEFAULTS = {
  maxConcurrentRequests: 50,
  maxConcurrentWrites: 15,
  requestsPerMinute: 1500,
  rateWindowMs: 60_000,
  requestTimeoutMs: 30_000,
  maxRetries: 6,
  maxRetryDelayMs: 60_000,
  tasksPerQueue: 1,
} as const;

export const settingsInputSchema = z.object({
  url: z.string().optional(),
  apiKey: z.string().optional(),
  maxConcurrentRequests: z.coerce.number().int().min(1).max(1000).optional(),
  maxConcurrentWrites: z.coerce.number().int().min(1).max(1000).optional(),
  requestsPerMinute: z.coerce.number().int().min(1).max(1_000_000).optional(),
  rateWindowMs: z.coerce.number().int().min(1).optional(),
  requestTimeoutMs: z.coerce.number().int().min(1).optional(),
  maxRetries: z.coerce.number().int().min(0).max(20).optional(),
  maxRetryDelayMs: z.coerce.number().int().min(0).optional(),
  tasksPerQueue: z.coerce.number().int().min(1).max(50).optional(),
});
export type SettingsInput = z.input<typeof settingsInputSchema>;

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Validates the portal URL and returns its origin. */
export function parsePortalUrl(raw: string | undefined, settingName = "docspace:url"): string {
  const value = (raw ?? "").trim();
  if (value === "") {
    throw new DocSpaceError(
      "configuration",
      `The DocSpace portal URL is not set. Set ${settingName} (pulumi config set docspace:url https://your-portal.onlyoffice.com) or DOCSPACE_URL.`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DocSpaceError(
      "configuration",
      `${settingName} is not a valid URL: "${value}". Use the portal's address, such as https://your-portal.onlyoffice.com.`,
    );
  }
  if (url.username || url.password) {
    throw new DocSpaceError("configuration", `${settingName} must not contain a user name or password; use docspace:apiKey for credentials.`);
  }
  if (url.protocol === "http:") {
    if (!isLoopback(url.hostname)) {
      throw new DocSpaceError(
        "configuration",
        `${settingName} uses http:// for ${url.hostname}; the API key would travel unencrypted. Use https:// (plain http is allowed only for localhost).`,
      );
    }
  } else if (url.protocol !== "https:") {
    throw new DocSpaceError("configuration", `${settingName} must start with https:// (got ${url.protocol}//).`);
  }
  if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new DocSpaceError(
      "configuration",
      `${settingName} must be the portal's address only, without a path (got "${url.pathname}${url.search}"); for example https://your-portal.onlyoffice.com.`,
    );
  }
  return url.origin;
}

/** Checks the key's shape without ever echoing it. */
export function parseApiKey(raw: string | undefined, settingName = "docspace:apiKey"): string {
  const value = (raw ?? "").trim();
  if (value === "") {
    throw new DocSpaceError(
      "configuration",
      `The DocSpace API key is not set. Set it with \`pulumi config set --secret ${settingName} <key>\` or the DOCSPACE_API_KEY environment variable.`,
    );
  }
  if (/^bearer\s/i.test(value)) {
    throw new DocSpaceError("configuration", `${settingName} must be the key alone, without the "Bearer " prefix.`);
  }
  if (!/^[\x21-\x7e]+$/.test(value) || value.length > 4096) {
    throw new DocSpaceError(
      "configuration",
      `${settingName} is malformed: an API key is one word of printable characters (DocSpace keys start with "sk-"). Copy it again from DocSpace.`,
    );
  }
  return value;
}

export function resolveSettings(input: SettingsInput): PortalSettings {
  const parsed = settingsInputSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new DocSpaceError("configuration", `docspace:${first.path.join(".")} is invalid: ${first.message}.`);
  }
  const s = { ...PORTAL_DEFAULTS, ...withoutUndefined(parsed.data) };
  return {
    origin: parsePortalUrl(s.url),
    apiKey: parseApiKey(s.apiKey),
    limits: {
      maxConcurrentRequests: s.maxConcurrentRequests,
      maxConcurrentWrites: s.maxConcurrentWrites,
      requestsPerWindow: s.requestsPerMinute,
      windowMs: s.rateWindowMs,
    },
    requestTimeoutMs: s.requestTimeoutMs,
    maxRetries: s.maxRetries,
    maxRetryDelayMs: s.maxRetryDelayMs,
    tasksPerQueue: s.tasksPerQueue,
  };
}

function withoutUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
