/**
 * Typed errors for everything that can go wrong talking to DocSpace.
 * A caller branches on `kind`; a person reads `message`, which says what was asked,
 * what DocSpace answered and what to do. No error ever holds the API key: messages are
 * built from the operation name, the HTTP status and DocSpace's own error text only.
 */

export type DocSpaceErrorKind =
  | "configuration"
  | "authentication"
  | "forbidden"
  | "not-found"
  | "precondition"
  | "rate-limited"
  | "server"
  | "network"
  | "timeout"
  | "validation"
  | "unexpected-response"
  /** The step's own deadline came before the request could be sent (it was not sent). */
  | "deadline";

export interface DocSpaceErrorDetails {
  /** What was asked, e.g. "POST people/remove/start". */
  operation?: string;
  /** HTTP status DocSpace answered with, when there was an answer. */
  httpStatus?: number;
  /** DocSpace's own error message (`error.message`), when it sent one. */
  serverMessage?: string;
  /** Seconds DocSpace asked us to wait (Retry-After / X-RateLimit-Reset). */
  retryAfterSeconds?: number;
  /** The answer carried DocSpace's own error envelope (`{"error": {...}, "status": 1, ...}`). */
  envelope?: boolean;
  /** The request never left this process (bad settings, a deadline reached while waiting). */
  notSent?: boolean;
}

export class DocSpaceError extends Error {
  readonly kind: DocSpaceErrorKind;
  readonly operation?: string;
  readonly httpStatus?: number;
  readonly serverMessage?: string;
  readonly retryAfterSeconds?: number;
  readonly envelope: boolean;
  readonly notSent: boolean;

  constructor(kind: DocSpaceErrorKind, message: string, details: DocSpaceErrorDetails = {}) {
    super(boundText(message, 2000));
    this.name = errorNames[kind];
    this.kind = kind;
    this.operation = details.operation;
    this.httpStatus = details.httpStatus;
    this.serverMessage = details.serverMessage === undefined ? undefined : boundText(details.serverMessage);
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.envelope = details.envelope ?? false;
    this.notSent = details.notSent ?? kind === "configuration";
  }
}

const errorNames: Record<DocSpaceErrorKind, string> = {
  configuration: "DocSpaceConfigurationError",
  authentication: "DocSpaceAuthenticationError",
  forbidden: "DocSpaceForbiddenError",
  "not-found": "DocSpaceNotFoundError",
  precondition: "DocSpacePreconditionError",
  "rate-limited": "DocSpaceRateLimitedError",
  server: "DocSpaceServerError",
  network: "DocSpaceNetworkError",
  timeout: "DocSpaceTimeoutError",
  validation: "DocSpaceValidationError",
  "unexpected-response": "DocSpaceUnexpectedResponseError",
  deadline: "DocSpaceDeadlineError",
};

/**
 * Text from the portal (or about it) before it is kept or printed: control characters replaced,
 * whitespace collapsed, cut to `max` characters. A portal can answer anything, of any size.
 */
export function boundText(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, " ").replace(/[ \t]{2,}/g, " ");
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/**
 * Portal text that ends up inside one line of a report (a log line, a pull-request comment inside a
 * ``` fence): as boundText, and also no line breaks or tabs (every run of whitespace or control
 * characters becomes one space) and no run of three backticks, so a room title or a name can
 * neither fake lines of the report nor close its fence.
 */
export function boundLine(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").replace(/`{3,}/g, (run) => "'".repeat(run.length)).trim();
  return boundText(flat, max);
}

export function isDocSpaceError(e: unknown, kind?: DocSpaceErrorKind): e is DocSpaceError {
  return e instanceof DocSpaceError && (kind === undefined || e.kind === kind);
}

/**
 * True only when the failure proves the portal did not carry the request out: it was never sent,
 * or DocSpace itself said no before acting (its error envelope on a 4xx, or the empty-bodied
 * 401 / 403 / 429 of its authentication pipeline and rate limiter). Anything else (5xx, a reset,
 * a timeout, an unreadable 2xx, a redirect, an HTML page) may hide a request that was carried out.
 */
export function refusedBeforeActing(e: unknown): boolean {
  if (!isDocSpaceError(e)) return false;
  if (e.notSent) return true;
  const status = e.httpStatus;
  if (status === undefined || status < 400 || status >= 500) return false;
  if (e.kind === "validation") return true;
  return e.envelope || status === 401 || status === 403 || status === 429;
}

/** What to do next, per kind; appended to every message so each one ends with advice. */
export function adviceFor(kind: DocSpaceErrorKind): string {
  switch (kind) {
    case "configuration":
      return "Fix the setting named above (pulumi config set docspace:url / pulumi config set --secret docspace:apiKey, or DOCSPACE_URL / DOCSPACE_API_KEY).";
    case "authentication":
      return "Check docspace:apiKey: the key may be wrong, revoked or expired, or its owner's account may be disabled. Create a new key in DocSpace (Developer Tools > API keys) and set it with `pulumi config set --secret docspace:apiKey`.";
    case "forbidden":
      return "The API key's account is not allowed to do this. Use a key created by the portal owner or a DocSpace admin, with the accounts:write permission (or all permissions).";
    case "not-found":
      return "Check the email or id in the offboarding file; the account may already have been removed.";
    case "precondition":
      return "DocSpace refused the request in the account's current state; see its answer above.";
    case "rate-limited":
      return "DocSpace is throttling this key. Wait and run again, or lower the number of parallel operations (pulumi up --parallel).";
    case "server":
      return "DocSpace failed internally. Run again later; if it persists, check the portal's health.";
    case "network":
      return "Check docspace:url and that the portal is reachable from here.";
    case "timeout":
      return "DocSpace did not answer in time. Run again; the next run checks what was already done before doing anything.";
    case "validation":
      return "DocSpace rejected the request's fields; this is a bug in pulumi-docspace if the inputs were valid, please report it.";
    case "unexpected-response":
      return "DocSpace answered in a form this version does not understand. Check that docspace:url points at a DocSpace portal.";
    case "deadline":
      return "The step's time (timeoutSeconds) ran out while waiting to send it; nothing was sent. Run `pulumi up` again.";
  }
}
