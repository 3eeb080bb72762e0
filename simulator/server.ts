/**
 * The DocSpace simulator's HTTP face: a real server on 127.0.0.1 speaking DocSpace's wire format
 * (envelopes, empty-bodied auth and 429 answers, camelCase, nulls omitted), with rate limits,
 * latency, fault injection per route and a request log for tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LOST_USER_ID, Portal, SimFailure, seedSchema, type FilterQuery, type PortalOptions, type Seed, type SimRoom, type SimUser } from "./portal";

export type FaultKind =
  | "429"
  | "500"
  | "502"
  | "503"
  /** Carry the request out, then answer 503: the caller cannot tell it happened. */
  | "applied-then-503"
  /** Drop the connection before doing anything. */
  | "reset"
  /** Carry the request out, start the answer, then drop the connection mid-body. */
  | "applied-then-reset"
  /** Wait `delayMs` before handling (slower than a client's timeout, say). */
  | "delay"
  /**
   * Answer with `response` instead of the route's own answer, without carrying the request out:
   * a misbehaving proxy, a portal bug, another service at the address.
   */
  | "respond"
  /** Carry the request out, then answer with `response` instead (an unreadable 2xx, say). */
  | "applied-then-respond";

export interface Fault {
  /** "METHOD route-template", e.g. "POST people/remove/start", or "*" for every route. */
  route: string;
  kind: FaultKind;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** Let this many matching requests through untouched first. */
  skip?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** For "respond" and "applied-then-respond". */
  response?: { status: number; body?: string; headers?: Record<string, string> };
  /** A trap: the test expects no request to reach it, so its not firing is the point (settleFaults leaves it out). */
  trap?: boolean;
}

export interface RateLimitOptions {
  requestsPerWindow: number;
  windowMs: number;
  maxConcurrentWrites: number;
  maxConcurrentReads: number;
  /** SensitiveApi (self/delete): per user and path. */
  sensitivePerWindow: number;
  sensitiveWindowMs: number;
}

export const DOCSPACE_DEFAULT_RATE_LIMITS: RateLimitOptions = {
  requestsPerWindow: 1500,
  windowMs: 60_000,
  maxConcurrentWrites: 15,
  maxConcurrentReads: 50,
  sensitivePerWindow: 5,
  sensitiveWindowMs: 15 * 60_000,
};

export interface SimulatorOptions extends PortalOptions {
  seed?: Seed;
  /** Share state across restarts: pass the previous simulator's portal. */
  portal?: Portal;
  /** Latency added to each request, fixed or [min, max] ms. */
  latencyMs?: number | [number, number];
  /** DocSpace's limiter; `false` turns it off (the self-hosted default). */
  rateLimits?: Partial<RateLimitOptions> | false;
}

export interface LoggedRequest {
  method: string;
  path: string;
  /** The query string as received, with its leading "?" (or ""). */
  query: string;
  /** The Authorization header as received (test record only). */
  authorization?: string;
  route: string;
  callerId?: string;
  status: number;
  body?: unknown;
  at: number;
  hasAuthorization: boolean;
}

export function defaultSeed(): Seed {
  return seedSchema.parse(JSON.parse(readFileSync(join(__dirname, "seed.json"), "utf8")));
}

/** The seeded portal owner's API key (simulator only), for the demo and the benchmark. */
export function ownerApiKey(seed: Seed = defaultSeed()): string {
  const key = seed.users.find((u) => u.type === "Owner")?.apiKeys?.[0]?.key;
  if (!key) throw new Error("the simulator's seed has no owner with an API key");
  return key;
}

interface RouteMatch {
  template: string;
  params: Record<string, string>;
}

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const ROUTES: Array<{ method: string; template: string; re: RegExp }> = [
  ["GET", "people/@self", /^people\/@self$/],
  ["GET", "keys/@self", /^keys\/@self$/],
  ["GET", "people/email", /^people\/email$/],
  ["GET", "people/filter", /^people\/filter$/],
  ["GET", "people/status/{status}", /^people\/status\/(?<status>[^/]+)$/],
  ["GET", "files/rooms", /^files\/rooms$/],
  ["GET", "group/user/{userid}", new RegExp(`^group/user/(?<userid>${GUID})$`)],
  ["PUT", "people/status/{status}", /^people\/status\/(?<status>[^/]+)$/],
  ["POST", "people/remove/start", /^people\/remove\/start$/],
  ["GET", "people/remove/progress/{userid}", new RegExp(`^people/remove/progress/(?<userid>${GUID})$`)],
  ["PUT", "people/remove/terminate", /^people\/remove\/terminate$/],
  ["POST", "people/reassign/start", /^people\/reassign\/start$/],
  ["GET", "people/reassign/progress/{userid}", new RegExp(`^people/reassign/progress/(?<userid>${GUID})$`)],
  ["PUT", "people/reassign/terminate", /^people\/reassign\/terminate$/],
  ["GET", "people/reassign/necessary", /^people\/reassign\/necessary$/],
  ["PUT", "people/self/delete", /^people\/self\/delete$/],
  ["GET", "people/{userid}", /^people\/(?<userid>[^/@]+)$/],
  ["DELETE", "people/{userid}", /^people\/(?<userid>[^/@]+)$/],
].map(([method, template, re]) => ({ method: method as string, template: template as string, re: re as RegExp }));

function matchRoute(method: string, path: string): RouteMatch | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.re.exec(path);
    if (m) return { template: r.template, params: { ...(m.groups ?? {}) } };
  }
  return undefined;
}

/** Contract section 3: the scopes a key needs for a route (any one of them). */
function scopesFor(method: string, template: string): string[] {
  if (template.startsWith("files/rooms")) return method === "GET" ? ["*:read", "*:write", "rooms:read", "rooms:write"] : ["*:write", "rooms:write"];
  if (template.startsWith("group")) return method === "GET" ? ["*:read", "*:write", "accounts:read", "accounts:write"] : ["*:write", "accounts:write"];
  // Routes outside the scope map (keys/*, like security/* and portal/*) need a global scope.
  if (!template.startsWith("people")) return method === "GET" ? ["*:read", "*:write"] : ["*:write"];
  const self = template.startsWith("people/@self");
  if (method === "GET") return self ? ["*:read", "*:write", "accounts.self:read", "accounts.self:write"] : ["*:read", "*:write", "accounts:read", "accounts:write"];
  return self ? ["*:write", "accounts.self:write"] : ["*:write", "accounts:write"];
}

/**
 * A fault that answers `route` with 402 Payment Required and DocSpace's error envelope, as a
 * paid feature (the audit trail, say) does on a tariff without it.
 */
export function paymentRequired(route: string, times = 1_000_000): Fault {
  return {
    route,
    kind: "respond",
    times,
    response: {
      status: 402,
      body: errorBody(402, "The pricing plan does not support this option", "ASC.Core.Billing.BillingException"),
      headers: { "Content-Type": "application/json; charset=utf-8" },
    },
  };
}

/** Section roots of the Rooms and Archive folders (FolderType VirtualRooms=14, Archive=20). */
const ROOMS_ROOT = { id: 3, title: "Rooms", folderType: 14 } as const;
const ARCHIVE_ROOT = { id: 4, title: "Archive", folderType: 20 } as const;

/** ApiDateTime: 7 fractional digits and an offset. */
export function apiDate(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$10000+00:00");
}

export class DocSpaceSimulator {
  readonly portal: Portal;
  readonly log: LoggedRequest[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private faults: Array<Fault & { left: number; toSkip: number; fired: number }> = [];
  private cleared: Array<Fault & { left: number; toSkip: number; fired: number }> = [];
  private readonly rate: RateLimitOptions | undefined;
  private latency: number | [number, number];
  private readonly windows = new Map<string, number[]>();
  private readonly inFlight = new Map<string, { reads: number; writes: number }>();
  /** Highest number of writes in flight at once seen for any caller. */
  maxWritesInFlight = 0;
  maxRequestsInFlight = 0;
  private requestsInFlight = 0;
  url = "";

  constructor(options: SimulatorOptions = {}) {
    this.portal = options.portal ?? new Portal(options.seed ?? defaultSeed(), options);
    if (options.portal) {
      // A restart keeps the portal (and its clock); settings given again apply to it.
      const o = this.portal.options;
      if (options.taskDurationMs !== undefined) o.taskDurationMs = options.taskDurationMs;
      if (options.taskExpiryMs !== undefined) o.unregisterAfterMs = options.taskExpiryMs;
      if (options.unregisterAfterMs !== undefined) o.unregisterAfterMs = options.unregisterAfterMs;
      if (options.cleanerIntervalMs !== undefined) o.cleanerIntervalMs = options.cleanerIntervalMs;
      if (options.parallelTasks !== undefined) o.parallelTasks = options.parallelTasks;
      if (options.database !== undefined) o.database = options.database;
      if (options.quotaStatistics !== undefined) o.quotaStatistics = options.quotaStatistics;
    }
    this.latency = options.latencyMs ?? 0;
    this.rate = options.rateLimits === false ? undefined : { ...DOCSPACE_DEFAULT_RATE_LIMITS, ...(options.rateLimits ?? {}) };
  }

  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds a fault; it hits the next `times` matching requests. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1, toSkip: fault.skip ?? 0, fired: 0 });
  }

  clearFaults(): void {
    this.cleared.push(...this.faults);
    this.faults = [];
  }

  /**
   * Ends the faults given so far (cleared or not) and returns those that never hit a request: a
   * test whose fault never fired tested nothing.
   */
  settleFaults(): Fault[] {
    const unfired = [...this.cleared, ...this.faults].filter((f) => f.fired === 0 && f.trap !== true).map(({ left: _l, toSkip: _s, fired: _f, ...fault }) => fault);
    this.cleared = [];
    this.faults = [];
    return unfired;
  }

  setLatency(latency: number | [number, number]): void {
    this.latency = latency;
  }

  /** Requests that reached a route (by "METHOD template"). */
  requests(route?: string): LoggedRequest[] {
    return route ? this.log.filter((r) => `${r.method} ${r.route}` === route) : this.log;
  }

  /** Requests that could change something at the portal. */
  writes(): LoggedRequest[] {
    return this.log.filter((r) => r.method !== "GET");
  }

  private takeFault(route: string): (Fault & { left: number }) | undefined {
    const f = this.faults.find((x) => x.left > 0 && (x.route === "*" || x.route === route));
    if (!f) return undefined;
    if (f.toSkip > 0) {
      f.toSkip--;
      return undefined;
    }
    f.left--;
    f.fired++;
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requestsInFlight++;
    this.maxRequestsInFlight = Math.max(this.maxRequestsInFlight, this.requestsInFlight);
    try {
      await this.handleInner(req, res);
    } catch (e) {
      if (!res.headersSent && !res.destroyed) this.send(res, 500, errorBody(500, (e as Error).message, "System.Exception"));
    } finally {
      this.requestsInFlight--;
    }
  }

  private async handleInner(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const raw = await readBody(req);
    const entry: LoggedRequest = {
      method,
      path: url.pathname,
      query: url.search,
      authorization: req.headers.authorization,
      route: "?",
      status: 0,
      at: this.portal.now(),
      hasAuthorization: req.headers.authorization !== undefined,
    };
    this.log.push(entry);
    const respond = (status: number, body: string | undefined, headers: Record<string, string> = {}): void => {
      entry.status = status;
      this.send(res, status, body, headers);
    };

    const prefix = "/api/2.0/";
    const apiPath = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length).replace(/\/$/, "") : undefined;
    const route = apiPath === undefined ? undefined : matchRoute(method, apiPath);
    if (!route) return respond(404, undefined);
    entry.route = route.template;
    const routeKey = `${method} ${route.template}`;

    // Authentication pipeline: empty-bodied 401 / 403.
    const auth = req.headers.authorization ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    const caller = m ? this.portal.authenticate(m[1]!.trim()) : undefined;
    if (!caller) return respond(401, undefined);
    entry.callerId = caller.id;
    const key = this.portal.keys.get(m![1]!.trim())!;
    const granted = key.permissions.length === 0 || key.permissions.includes("*") ? ["*:write"] : key.permissions;
    // ScopesMap maps GET keys/@self to "*", which sets no scope policy: any key may read its own permissions.
    const unscoped = method === "GET" && route.template === "keys/@self";
    if (!unscoped && !scopesFor(method, route.template).some((s) => granted.includes(s))) return respond(403, undefined);

    // Rate limiter: empty-bodied 429 with headers.
    const isWrite = method !== "GET";
    const limited = this.rateLimit(caller, routeKey);
    if (limited) return respond(429, undefined, limited);
    const slots = this.inFlight.get(caller.id) ?? { reads: 0, writes: 0 };
    this.inFlight.set(caller.id, slots);
    if (this.rate && (isWrite ? slots.writes >= this.rate.maxConcurrentWrites : slots.reads >= this.rate.maxConcurrentReads)) {
      return respond(429, undefined, { "X-RateLimit-Limit": String(isWrite ? this.rate.maxConcurrentWrites : this.rate.maxConcurrentReads), "X-RateLimit-Remaining": "0" });
    }
    if (isWrite) slots.writes++;
    else slots.reads++;
    this.maxWritesInFlight = Math.max(this.maxWritesInFlight, slots.writes);
    try {
      await sleep(pick(this.latency));
      this.portal.advance();
      const fault = this.takeFault(routeKey);
      if (fault) {
        switch (fault.kind) {
          case "reset":
            entry.status = -1;
            req.socket.destroy();
            return;
          case "429":
            return respond(429, undefined, { "Retry-After": String(fault.retryAfterSeconds ?? 1) });
          case "500":
          case "502":
          case "503":
            return respond(Number(fault.kind), fault.kind === "500" ? errorBody(500, "Simulated server error", "System.Exception") : "<html><body>Bad gateway</body></html>", {
              "Content-Type": fault.kind === "500" ? "application/json" : "text/html",
            });
          case "delay":
            await sleep(fault.delayMs ?? 5000);
            this.portal.advance();
            break;
          case "respond":
            return respond(fault.response?.status ?? 200, fault.response?.body, fault.response?.headers ?? {});
          default:
            break;
        }
      }
      let status: number;
      let body: string | undefined;
      try {
        const result = this.route(caller, method, route, url, raw, m![1]!.trim());
        status = result.status ?? 200;
        body = envelope(result.response, url, method, result.total, status);
      } catch (e) {
        if (!(e instanceof SimFailure)) throw e;
        status = e.httpStatus;
        body = e.body === "envelope" ? errorBody(e.httpStatus, e.message, e.exceptionType) : e.body === "validation" ? validationBody(e.message, url, method) : undefined;
      }
      if (fault?.kind === "applied-then-respond") return respond(fault.response?.status ?? 200, fault.response?.body, fault.response?.headers ?? {});
      if (fault?.kind === "applied-then-503") return respond(503, "<html><body>Service Unavailable</body></html>", { "Content-Type": "text/html" });
      if (fault?.kind === "applied-then-reset") {
        entry.status = -1;
        res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body ?? "") + 100) });
        res.write((body ?? "").slice(0, 10));
        setTimeout(() => req.socket.destroy(), 5);
        return;
      }
      return respond(status, body, body !== undefined ? { "Content-Type": "application/json; charset=utf-8" } : {});
    } finally {
      if (isWrite) slots.writes--;
      else slots.reads--;
    }
  }

  /** Sliding window per user; SensitiveApi per user and path. Returns 429 headers when over. */
  private rateLimit(caller: SimUser, routeKey: string): Record<string, string> | undefined {
    if (!this.rate) return undefined;
    // The portal's clock, so a test that drives time drives the windows too.
    const now = this.portal.now();
    const check = (key: string, limit: number, windowMs: number): Record<string, string> | undefined => {
      const list = (this.windows.get(key) ?? []).filter((t) => t > now - windowMs);
      this.windows.set(key, list);
      if (list.length >= limit) {
        const wait = Math.max(1, Math.ceil((list[0]! + windowMs - now) / 1000));
        return {
          "Retry-After": String(wait),
          "X-RateLimit-Limit": String(limit),
          "X-RateLimit-Remaining": "0",
          "X-RateLimit-Reset": String(wait),
        };
      }
      list.push(now);
      return undefined;
    };
    if (routeKey === "PUT people/self/delete") {
      const s = check(`sensitive:${caller.id}:${routeKey}`, this.rate.sensitivePerWindow, this.rate.sensitiveWindowMs);
      if (s) return s;
    }
    return check(`user:${caller.id}`, this.rate.requestsPerWindow, this.rate.windowMs);
  }

  private route(caller: SimUser, method: string, route: RouteMatch, url: URL, raw: string, bearer: string): { response?: unknown; total?: number; status?: number } {
    const p = this.portal;
    const body = parseBody(raw);
    const q = (name: string): string | undefined => {
      for (const [k, v] of url.searchParams) if (k.toLowerCase() === name.toLowerCase()) return v;
      return undefined;
    };
    const qAll = (name: string): string[] => [...url.searchParams].filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
    switch (`${method} ${route.template}`) {
      case "GET keys/@self": {
        const k = this.portal.keys.get(bearer)!;
        return {
          response: {
            id: k.id,
            name: k.name,
            keyPostfix: k.key.slice(-4),
            permissions: k.permissions,
            isActive: !k.revoked,
            createBy: { id: caller.id, displayName: `${caller.firstName} ${caller.lastName}` },
          },
        };
      }
      case "GET people/@self":
        return { response: { ...this.employee(caller, caller), theme: "Base", loginEventId: 0, hasPersonalFolder: true } };
      case "GET people/email": {
        const email = q("email") ?? "";
        if (email.trim() === "") throw new SimFailure(400, "Value cannot be null. (Parameter 'email')");
        const u = p.userByEmail(email);
        if (!u) throw new SimFailure(404, "The user could not be found", "envelope", "System.Collections.Generic.KeyNotFoundException");
        if (!p.canView(caller, u)) throw new SimFailure(403, "Access denied", "envelope", "System.Security.SecurityException");
        return { response: this.employee(u, caller) };
      }
      case "GET people/{userid}": {
        const id = route.params.userid!;
        const u = p.liveUser(id) ?? [...p.users.values()].find((x) => !x.removed && x.userName === id);
        if (!u) throw new SimFailure(404, "The user could not be found", "envelope", "System.Collections.Generic.KeyNotFoundException");
        if (!p.canView(caller, u)) throw new SimFailure(403, "Access denied", "envelope", "System.Security.SecurityException");
        return { response: this.employee(u, caller) };
      }
      case "GET people/filter":
      case "GET people/status/{status}": {
        const { count, start } = paging(q);
        const fq = filterQuery(q, qAll);
        if (route.template === "people/status/{status}") fq.employeeStatus = parseEnum(route.params.status!, EMPLOYEE_STATUS, "status");
        const all = p.filter(caller, fq);
        const page = all.slice(start, start + count);
        return { response: page.map((u) => this.employee(u, caller)), total: all.length };
      }
      case "GET files/rooms": {
        const { count, start } = paging(q);
        const ownerRaw = q("subjectOwnerId");
        if (ownerRaw !== undefined && !new RegExp(`^${GUID}$`).test(ownerRaw)) throw new SimFailure(400, `The value '${ownerRaw}' is not valid for SubjectOwnerId.`, "validation");
        const areaRaw = q("searchArea");
        // Active is the default section: archived rooms are listed only when asked for.
        const searchArea = areaRaw === undefined ? 0 : parseEnum(areaRaw, SEARCH_AREA, "SearchArea");
        const all = p.listRooms(caller, { subjectOwnerId: ownerRaw, searchArea });
        const page = all.slice(start, start + count);
        const root = searchArea === 1 ? ARCHIVE_ROOT : ROOMS_ROOT;
        return {
          response: {
            files: [],
            folders: page.map((r) => this.room(r, caller)),
            current: { id: root.id, rootFolderId: root.id, title: root.title, access: 0, shared: false, rootFolderType: root.folderType, fileEntryType: 1, filesCount: 0, foldersCount: 0, new: 0 },
            pathParts: [{ id: root.id, title: root.title }],
            startIndex: start,
            count: page.length,
            total: all.length,
            new: 0,
          },
        };
      }
      case "GET group/user/{userid}": {
        // Action_ReadGroups: not for guests [I]. An unknown or removed user simply has no groups.
        if (caller.type === "Guest") throw new SimFailure(403, "Access denied", "envelope", "System.Security.SecurityException");
        const u = p.users.get(route.params.userid!.toLowerCase());
        const groups = u && !u.removed ? p.groupsOf(u.id) : [];
        return { response: groups.map((g) => this.groupSummary(g.id)) };
      }
      case "PUT people/status/{status}": {
        const s = parseStatus(route.params.status!);
        if (s === undefined) throw new SimFailure(400, "Incorrect status");
        const ids = field(body, "userIds");
        if (!Array.isArray(ids)) throw new SimFailure(400, "The UserIds field is required.", "validation");
        return { response: p.setStatus(caller, s, ids.map(String)).map((u) => this.employee(u, caller)) };
      }
      case "POST people/remove/start":
        return { response: p.startRemove(caller, requiredGuid(body, "userId")).dto };
      case "GET people/remove/progress/{userid}": {
        const t = p.progress(caller, "remove", route.params.userid!);
        return { response: t ? Portal.dto(t) : undefined };
      }
      case "PUT people/remove/terminate":
        p.terminateRemove(caller, requiredGuid(body, "userId"));
        return {};
      case "POST people/reassign/start": {
        const del = field(body, "deleteProfile");
        return { response: p.startReassign(caller, requiredGuid(body, "fromUserId"), requiredGuid(body, "toUserId"), del === true || del === "true").dto };
      }
      case "GET people/reassign/progress/{userid}": {
        const t = p.progress(caller, "reassign", route.params.userid!);
        return { response: t ? Portal.dto(t) : undefined };
      }
      case "PUT people/reassign/terminate": {
        const t = p.terminateReassign(caller, requiredGuid(body, "userId"));
        return { response: t };
      }
      case "GET people/reassign/necessary": {
        const userId = q("userId") ?? "";
        if (!new RegExp(`^${GUID}$`).test(userId)) throw new SimFailure(400, "The value is not valid for UserId.", "validation");
        return { response: p.reassignNecessary(caller, userId, q("type") ?? "") };
      }
      case "PUT people/self/delete":
        return { response: p.sendSelfDelete(caller) };
      case "DELETE people/{userid}":
        return { response: this.employee(p.deleteProfile(caller, route.params.userid!), caller) };
      default:
        throw new SimFailure(404, "Not found", "plain");
    }
  }

  /** EmployeeFullDto: camelCase, nulls omitted, no `type` field. */
  employee(u: SimUser, viewer: SimUser): Record<string, unknown> {
    const admin = this.portal.isDocSpaceAdmin(viewer);
    const groups = this.portal.groupsOf(u.id);
    const dto: Record<string, unknown> = {
      id: u.id,
      displayName: `${u.firstName} ${u.lastName}`,
      avatar: `/static/images/default_user_photo_size_82-82.png?hash=1`,
      avatarOriginal: `/static/images/default_user_photo_size_200-200.png?hash=1`,
      avatarMax: `/static/images/default_user_photo_size_200-200.png?hash=1`,
      avatarMedium: `/static/images/default_user_photo_size_48-48.png?hash=1`,
      avatarSmall: `/static/images/default_user_photo_size_32-32.png?hash=1`,
      profileUrl: `${this.url}/accounts/view/${u.userName}`,
      hasAvatar: false,
      isAnonim: false,
      firstName: u.firstName,
      lastName: u.lastName,
      userName: u.userName,
      email: u.email,
      status: u.status,
      activationStatus: u.activationStatus,
      terminated: u.terminatedAt ? apiDate(u.terminatedAt) : undefined,
      department: groups.map((g) => htmlEncode(g.name)).join(", "),
      groups: groups.length > 0 ? groups.map((g) => this.groupSummary(g.id)) : undefined,
      isAdmin: u.type === "DocSpaceAdmin",
      isRoomAdmin: u.type === "RoomAdmin",
      isLDAP: u.ldap,
      listAdminModules: u.peopleAdmin ? ["people"] : undefined,
      isOwner: u.type === "Owner",
      isVisitor: u.type === "Guest",
      isCollaborator: u.type === "User",
      mobilePhoneActivationStatus: 0,
      isSSO: u.sso,
      registrationDate: apiDate(u.registeredAt),
      createdBy: admin && u.invitedById ? this.employeeShort(u.invitedById) : undefined,
      tfaAppEnabled: admin ? false : undefined,
      // Only with quota statistics on, and only for an admin or the person themselves.
      usedSpace: this.portal.options.quotaStatistics && (admin || viewer.id === u.id) ? u.usedSpace : undefined,
    };
    return stripUndefined(dto);
  }

  /** EmployeeDto: the short form used in createdBy and the like; a missing user reads as LostUser. */
  employeeShort(userId: string): Record<string, unknown> {
    const u = this.portal.users.get(userId.toLowerCase());
    const live = u && !u.removed ? u : undefined;
    return {
      id: live ? live.id : LOST_USER_ID,
      displayName: live ? `${live.firstName} ${live.lastName}` : "Unknown Unknown",
      avatarSmall: `/static/images/default_user_photo_size_32-32.png?hash=1`,
      profileUrl: live ? `${this.url}/accounts/view/${live.userName}` : `${this.url}/accounts/view/`,
      hasAvatar: false,
      isAnonim: false,
    };
  }

  /** GroupSummaryDto: `manager` is the manager's userName, absent when the group has none. */
  groupSummary(groupId: string): Record<string, unknown> {
    const g = this.portal.groups.get(groupId)!;
    const manager = g.managerId ? this.portal.liveUser(g.managerId) : undefined;
    return stripUndefined({ id: g.id, name: g.name, manager: manager?.userName });
  }

  /** A room as FolderDto in a rooms listing. */
  room(r: SimRoom, viewer: SimUser): Record<string, unknown> {
    const root = r.archived ? ARCHIVE_ROOT : ROOMS_ROOT;
    const created = apiDate(r.createdAt);
    return {
      parentId: root.id,
      filesCount: 0,
      foldersCount: 0,
      new: 0,
      mute: false,
      tags: [],
      logo: { original: "", large: "", medium: "", small: "", color: "5299E0" },
      pinned: false,
      roomType: r.roomType,
      private: false,
      indexing: false,
      denyDownload: false,
      inRoom: r.ownerId === viewer.id,
      usedSpace: 0,
      id: r.id,
      rootFolderId: root.id,
      title: r.title,
      access: r.ownerId === viewer.id ? 0 : 9,
      shared: false,
      created,
      createdBy: this.employeeShort(r.ownerId),
      updated: created,
      updatedBy: this.employeeShort(r.ownerId),
      rootFolderType: root.folderType,
      fileEntryType: 1,
    };
  }

  private send(res: ServerResponse, status: number, body: string | undefined, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, "Content-Length": String(Buffer.byteLength(body ?? "")) });
    res.end(body ?? "");
  }
}

function envelope(response: unknown, url: URL, method: string, total: number | undefined, statusCode: number): string {
  const count = response === undefined ? 0 : Array.isArray(response) ? response.length : 1;
  const out: Record<string, unknown> = {};
  if (response !== undefined) out.response = response;
  out.count = count;
  if (total !== undefined) out.total = total;
  out.links = [{ href: url.toString(), action: method }];
  out.status = 0;
  out.statusCode = statusCode;
  return JSON.stringify(out);
}

function errorBody(statusCode: number, message: string, type: string): string {
  const suppressed = type.includes("Authentication");
  return JSON.stringify({
    error: { message, type: suppressed ? null : type, stack: suppressed ? null : "   at ASC.People.Api (simulated)", hresult: suppressed ? 0 : -2146233078 },
    status: 1,
    statusCode,
  });
}

function validationBody(message: string, url: URL, method: string): string {
  return JSON.stringify({
    response: { type: "https://tools.ietf.org/html/rfc9110#section-15.5.1", title: "One or more validation errors occurred.", status: 400, errors: { request: [message] } },
    count: 1,
    links: [{ href: url.toString(), action: method }],
    status: 1,
    statusCode: 400,
  });
}

const EMPLOYEE_STATUS: Record<string, number> = { active: 1, terminated: 2, pending: 4, default: 5, all: 7 };
const ACTIVATION_STATUS: Record<string, number> = { notactivated: 0, activated: 1, pending: 2, autogenerated: 4 };
const EMPLOYEE_TYPE: Record<string, number> = { all: 0, roomadmin: 1, guest: 2, docspaceadmin: 3, user: 4 };
const AREA: Record<string, number> = { all: 0, people: 1, guests: 2 };
const ACCOUNT_LOGIN_TYPE: Record<string, number> = { sso: 0, ldap: 1, standart: 2 };
const SEARCH_AREA: Record<string, number> = { active: 0, archive: 1, any: 2, recentbylinks: 3, templates: 4 };

/** A query or path enum: the name (any case) or the number; anything else fails model binding. */
function parseEnum(raw: string, names: Record<string, number>, field: string): number {
  const v = raw.trim();
  if (/^-?\d+$/.test(v)) return Number(v);
  const n = names[v.toLowerCase()];
  if (n === undefined) throw new SimFailure(400, `The value '${raw}' is not valid for ${field}.`, "validation");
  return n;
}

/** count 1..100 (default 100), else a validation 400; a negative startIndex reads as 0. */
function paging(q: (name: string) => string | undefined): { count: number; start: number } {
  const countRaw = q("count");
  const count = countRaw === undefined ? 100 : Number(countRaw);
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new SimFailure(400, "The field Count must be between 1 and 100.", "validation");
  const start = Math.max(0, Number(q("startIndex") ?? 0) || 0);
  return { count, start };
}

function filterQuery(q: (name: string) => string | undefined, all?: (name: string) => string[]): FilterQuery {
  const opt = (name: string, names: Record<string, number>): number | undefined => {
    const v = q(name);
    return v === undefined || v === "" ? undefined : parseEnum(v, names, name);
  };
  const inviter = q("inviterId");
  if (inviter !== undefined && inviter !== "" && !new RegExp(`^${GUID}$`).test(inviter)) throw new SimFailure(400, `The value '${inviter}' is not valid for InviterId.`, "validation");
  const types = [q("employeeType"), ...(all ? all("employeeTypes") : [])]
    .filter((v): v is string => v !== undefined && v !== "")
    .map((v) => parseEnum(v, EMPLOYEE_TYPE, "employeeType"))
    .filter((t) => t !== 0);
  return {
    filterValue: q("filterValue"),
    filterSeparator: q("filterSeparator"),
    employeeStatus: opt("employeeStatus", EMPLOYEE_STATUS),
    activationStatus: opt("activationStatus", ACTIVATION_STATUS),
    inviterId: inviter === "" ? undefined : inviter,
    area: opt("area", AREA),
    accountLoginType: opt("accountLoginType", ACCOUNT_LOGIN_TYPE),
    employeeTypes: types.length > 0 ? types : undefined,
  };
}

function htmlEncode(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function parseStatus(s: string): 1 | 2 | undefined {
  const v = s.toLowerCase();
  if (v === "1" || v === "active") return 1;
  if (v === "2" || v === "terminated") return 2;
  return undefined;
}

function parseBody(raw: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    throw new SimFailure(400, "The JSON value could not be converted.", "validation");
  }
}

/** Input JSON binds case-insensitively (ASP.NET web defaults). */
function field(body: Record<string, unknown>, name: string): unknown {
  for (const [k, v] of Object.entries(body)) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
}

function requiredGuid(body: Record<string, unknown>, name: string): string {
  const v = field(body, name);
  if (typeof v !== "string" || !new RegExp(`^${GUID}$`).test(v)) throw new SimFailure(400, `The ${name} field is required.`, "validation");
  return v.toLowerCase();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function pick(v: number | [number, number]): number {
  return typeof v === "number" ? v : v[0] + Math.random() * (v[1] - v[0]);
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
