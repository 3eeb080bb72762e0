/**
 * HTTP to one DocSpace portal: the envelope, error mapping, retries, timeouts, redirects and the
 * shared per-portal limits. This is the only module that sends the API key anywhere, and it sends
 * it only to the configured portal origin.
 *
 * Retries are a small loop rather than undici's RetryAgent: that handler has no jitter, does not
 * read X-RateLimit-Reset, and would hold a concurrency slot while it sleeps; here the slot is
 * released during the wait so throttled calls do not starve the rest.
 */
import { createHash } from "node:crypto";
import { Agent, request, errors as undiciErrors } from "undici";
import type { Dispatcher } from "undici";
import { adviceFor, boundText, DocSpaceError, type DocSpaceErrorKind } from "./errors";
import { currentDeadline } from "./deadline";
import { limiterFor, sleep, WaitExpired, type RequestLimiter } from "./limiter";
import { errorEnvelopeSchema, successEnvelopeSchema, validationProblemSchema } from "./schemas";
import type { PortalSettings } from "./settings";

/** Which failures a call may be retried on. */
export type RetryPolicy =
  /** Reads and idempotent writes: 429, 5xx, network errors and timeouts. */
  | "idempotent"
  /** Non-idempotent starts: only 429, which DocSpace answers before running anything. */
  | "only-throttled"
  /** Optional reads (the impact report): as idempotent, but one retry at most; "unknown" beats a slow preview. */
  | "optional";

export interface ApiCall {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path under /api/2.0/, built from fixed segments and validated ids only. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  retry: RetryPolicy;
  /** Human description of the call for error messages, e.g. "start the removal of user <id>". */
  what: string;
}

export interface ApiResult {
  /** The envelope's `response`, or undefined when DocSpace returned none. */
  response: unknown;
  count?: number;
  total?: number;
}

let sharedAgent: Agent | undefined;
function agent(): Agent {
  // One keep-alive pool per process; created lazily so nothing here is captured by serialization.
  sharedAgent ??= new Agent({ connections: 64, keepAliveTimeout: 10_000, connect: { timeout: 10_000 } });
  return sharedAgent;
}

/** Closes this process's connections (a short-lived caller, such as the program, would otherwise wait for keep-alive to end). */
export async function closeConnections(): Promise<void> {
  const a = sharedAgent;
  sharedAgent = undefined;
  if (a) await a.destroy();
}

const MAX_REDIRECTS = 3;
const BASE_DELAY_MS = 500;

export class Transport {
  private readonly limiter: RequestLimiter;
  /** Portal and a fingerprint of the key (never the key): computed once, used as a cache key on every lookup. */
  readonly identity: string;

  constructor(private readonly settings: PortalSettings) {
    this.limiter = limiterFor(settings.origin, settings.limits);
    this.identity = `${settings.origin}#${createHash("sha256").update(settings.apiKey).digest("hex").slice(0, 16)}`;
  }

  get origin(): string {
    return this.settings.origin;
  }

  /**
   * One call, with retries. Every wait (queueing, backoff, Retry-After, the request itself) is
   * bounded by the current step's deadline (deadline.ts); a wait that would outlast it ends the
   * call at once with the failure in hand.
   */
  async call(spec: ApiCall): Promise<ApiResult> {
    const operation = `${spec.method} api/2.0/${spec.path}`;
    const deadline = currentDeadline() ?? Infinity;
    for (let attempt = 0; ; attempt++) {
      let failure: DocSpaceError;
      try {
        if (Date.now() >= deadline) throw this.deadlineReached(spec, operation);
        return await this.limiter.run(spec.method !== "GET", () => this.once(spec, operation, deadline), deadline);
      } catch (e) {
        if (e instanceof WaitExpired) throw this.deadlineReached(spec, operation);
        if (!(e instanceof DocSpaceError)) throw e;
        failure = e;
      }
      const retryable =
        failure.kind === "rate-limited" ||
        (spec.retry !== "only-throttled" && (failure.kind === "server" || failure.kind === "network" || failure.kind === "timeout"));
      const maxRetries = spec.retry === "optional" ? Math.min(1, this.settings.maxRetries) : this.settings.maxRetries;
      if (!retryable || attempt >= maxRetries) throw failure;
      const delay = this.delayBefore(attempt, failure);
      if (delay === undefined || Date.now() + delay >= deadline) throw failure;
      await sleep(delay);
    }
  }

  private deadlineReached(spec: ApiCall, operation: string): DocSpaceError {
    return new DocSpaceError("deadline", `Did not ${spec.what} (${operation}): the step's time ran out first. ${adviceFor("deadline")}`, { operation, notSent: true });
  }

  /** Capped, jittered exponential backoff, or the server's own wait when it gave one. */
  private delayBefore(attempt: number, failure: DocSpaceError): number | undefined {
    const cap = this.settings.maxRetryDelayMs;
    if (failure.retryAfterSeconds !== undefined) {
      const wanted = failure.retryAfterSeconds * 1000;
      if (wanted > cap) return undefined; // longer than we are willing to wait: hand it back
      return wanted + Math.random() * Math.min(1000, wanted * 0.2 + 50);
    }
    const exp = Math.min(cap, BASE_DELAY_MS * 2 ** attempt);
    return exp / 2 + Math.random() * (exp / 2);
  }

  private async once(spec: ApiCall, operation: string, deadline: number): Promise<ApiResult> {
    let url = new URL(`/api/2.0/${spec.path}`, this.settings.origin);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    for (let hop = 0; ; hop++) {
      const res = await this.send(spec, url, operation, Math.max(1, Math.min(this.settings.requestTimeoutMs, deadline - Date.now())));
      if (res.statusCode >= 300 && res.statusCode < 400) {
        const location = headerValue(res.headers, "location");
        await res.body.dump();
        const next = location ? new URL(location, url) : undefined;
        if (!next || next.origin !== this.settings.origin) {
          // The key is never sent to another origin: stop here and say where the portal points.
          throw new DocSpaceError(
            "configuration",
            `DocSpace at ${this.settings.origin} redirected ${spec.what} to ${next ? next.origin : "an unknown location"}; ` +
              `the API key is only sent to the configured portal. If the portal has moved, set docspace:url to its new address.`,
            { operation, httpStatus: res.statusCode },
          );
        }
        if (spec.method !== "GET" || hop >= MAX_REDIRECTS) {
          throw new DocSpaceError("unexpected-response", `DocSpace redirected ${spec.what} (${operation}) to ${next.pathname}; ${adviceFor("unexpected-response")}`, {
            operation,
            httpStatus: res.statusCode,
          });
        }
        url = next;
        continue;
      }
      return interpret(spec, operation, res.statusCode, res.headers, await readText(res, spec, operation));
    }
  }

  private async send(spec: ApiCall, url: URL, operation: string, timeoutMs: number): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.settings.apiKey}`,
    };
    let body: string | undefined;
    if (spec.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(spec.body);
    }
    try {
      return await request(url, {
        method: spec.method,
        headers,
        body,
        dispatcher: agent(),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs + 1000),
      });
    } catch (e) {
      throw transportFailure(e, spec, operation, timeoutMs);
    }
  }
}

/** Answers larger than this are not DocSpace answers to these routes (a page of 100 users is ~150 KB). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

async function readText(res: Dispatcher.ResponseData, spec: ApiCall, operation: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += b.length;
      if (size > MAX_BODY_BYTES) {
        res.body.destroy();
        throw new DocSpaceError("unexpected-response", `DocSpace answered ${spec.what} (${operation}) with more than ${MAX_BODY_BYTES} bytes. ${adviceFor("unexpected-response")}`, {
          operation,
          httpStatus: res.statusCode,
        });
      }
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof DocSpaceError) throw e;
    throw transportFailure(e, spec, operation, 0);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function transportFailure(e: unknown, spec: ApiCall, operation: string, timeoutMs: number): DocSpaceError {
  const err = e as { name?: string; code?: string; message?: string };
  const isTimeout =
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    e instanceof undiciErrors.ConnectTimeoutError ||
    err.name === "TimeoutError" ||
    err.name === "AbortError";
  if (isTimeout) {
    return new DocSpaceError(
      "timeout",
      `DocSpace did not answer ${spec.what} (${operation}) within ${Math.round(timeoutMs / 1000)} s. ${adviceFor("timeout")}`,
      { operation },
    );
  }
  const code = err.code ?? err.name ?? "error";
  return new DocSpaceError(
    "network",
    `Could not reach DocSpace to ${spec.what} (${operation}): ${code}. ${adviceFor("network")}`,
    { operation },
  );
}

function headerValue(headers: Dispatcher.ResponseData["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Seconds to wait from Retry-After (seconds or HTTP date) or X-RateLimit-Reset (seconds or epoch). */
export function retryAfterSeconds(headers: Dispatcher.ResponseData["headers"], now = Date.now()): number | undefined {
  const ra = headerValue(headers, "retry-after");
  if (ra !== undefined) {
    const n = Number(ra);
    if (Number.isFinite(n) && n >= 0) return n;
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.max(0, (date - now) / 1000);
  }
  const reset = headerValue(headers, "x-ratelimit-reset");
  if (reset !== undefined) {
    const n = Number(reset);
    if (Number.isFinite(n) && n >= 0) return n > 1e9 ? Math.max(0, n - now / 1000) : n;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function interpret(
  spec: ApiCall,
  operation: string,
  status: number,
  headers: Dispatcher.ResponseData["headers"],
  text: string,
): ApiResult {
  const json = parseJson(text);
  const errorBody = errorEnvelopeSchema.safeParse(json);
  const envelope = errorBody.success;
  const rawMessage = errorBody.success ? errorBody.data.error.message ?? undefined : undefined;
  const serverMessage = rawMessage === undefined ? undefined : boundText(rawMessage);

  if (status >= 200 && status < 300) {
    const env = successEnvelopeSchema.safeParse(json);
    if (!env.success) {
      throw new DocSpaceError(
        "unexpected-response",
        `DocSpace answered ${spec.what} (${operation}) with HTTP ${status} but the body is not a DocSpace API envelope. ${adviceFor("unexpected-response")}`,
        { operation, httpStatus: status },
      );
    }
    return { response: env.data.response, count: env.data.count, total: env.data.total };
  }

  const fail = (kind: DocSpaceErrorKind, extra?: { retryAfterSeconds?: number }): never => {
    const answered = serverMessage ? `HTTP ${status} "${serverMessage}"` : `HTTP ${status}${text.trim() === "" ? " with an empty body" : ""}`;
    const wait = extra?.retryAfterSeconds !== undefined ? ` DocSpace asks to wait ${Math.ceil(extra.retryAfterSeconds)} s before trying again.` : "";
    throw new DocSpaceError(kind, `Could not ${spec.what} (${operation}): DocSpace answered ${answered}.${wait} ${adviceFor(kind)}`, {
      operation,
      httpStatus: status,
      serverMessage,
      retryAfterSeconds: extra?.retryAfterSeconds,
      envelope,
    });
  };

  if (status === 401) return fail("authentication");
  if (status === 403) return fail("forbidden");
  if (status === 404) return fail("not-found");
  if (status === 429) return fail("rate-limited", { retryAfterSeconds: retryAfterSeconds(headers) });
  if (status === 400) {
    // Model validation arrives inside the success wrapper: {"response": ValidationProblemDetails, "status": 1}.
    const env = successEnvelopeSchema.safeParse(json);
    if (!errorBody.success && env.success && env.data.response !== undefined) {
      const problem = validationProblemSchema.safeParse(env.data.response);
      const fields = problem.success && problem.data.errors ? Object.entries(problem.data.errors).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ") : "";
      throw new DocSpaceError(
        "validation",
        `Could not ${spec.what} (${operation}): DocSpace rejected the request fields${fields ? ` (${fields})` : ""}. ${adviceFor("validation")}`,
        { operation, httpStatus: status, serverMessage: fields || undefined },
      );
    }
    if (serverMessage && /not found/i.test(serverMessage)) return fail("not-found");
    return fail("precondition");
  }
  if (status === 402) return fail("precondition");
  if (status >= 500) return fail("server");
  return fail("unexpected-response");
}
