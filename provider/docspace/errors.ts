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
  | "unexpected-response";

export interface DocSpaceErrorDetails {
  /** What was asked, e.g. "POST people/remove/start". */
  operation?: string;
  /** HTTP status DocSpace answered with, when there was an answer. */
  httpStatus?: number;
  /** DocSpace's own error message (`error.message`), when it sent one. */
  serverMessage?: string;
  /** Seconds DocSpace asked us to wait (Retry-After / X-RateLimit-Reset). */
  retryAfterSeconds?: number;
}

export class DocSpaceError extends Error {
  readonly kind: DocSpaceErrorKind;
  readonly operation?: string;
  readonly httpStatus?: number;
  readonly serverMessage?: string;
  readonly retryAfterSeconds?: number;

  constructor(kind: DocSpaceErrorKind, message: string, details: DocSpaceErrorDetails = {}) {
    super(message);
    this.name = errorNames[kind];
    this.kind = kind;
    this.operation = details.operation;
    this.httpStatus = details.httpStatus;
    this.serverMessage = details.serverMessage;
    this.retryAfterSeconds = details.retryAfterSeconds;
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
};

export function isDocSpaceError(e: unknown, kind?: DocSpaceErrorKind): e is DocSpaceError {
  return e instanceof DocSpaceError && (kind === undefined || e.kind === kind);
}

/** True when DocSpace may or may not have carried out the request (the answer was lost). */
export function outcomeUnknown(e: unknown): boolean {
  return isDocSpaceError(e) && (e.kind === "server" || e.kind === "network" || e.kind === "timeout");
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
  }
}
