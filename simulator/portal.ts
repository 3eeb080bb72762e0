/**
 * The simulated portal's state and rules, with no HTTP in it: users, API keys, and the remove /
 * reassign task queues, as DocSpace's server behaves. The HTTP layer (server.ts) maps
 * each `SimFailure` to the exact status and body DocSpace would send.
 *
 * The task queues follow DocSpace's source (docspace-api.md section 6):
 * - `common/ASC.Common/Threading/DistributedTaskQueue.cs`: one consumer per queue (MaxThreadsCount
 *   stays 1); EnqueueTask (Running, then PublishTask into the cache and the key list); publications
 *   go into the cache only (GetPublication / SaveToCache, one day); the cleaner of
 *   DistributedTaskQueueService drops (and cancels) every listed task unmodified for
 *   TimeUntilUnregisterInSeconds, every 10 s.
 * - `common/ASC.Data.Reassigns/QueueWorker.cs` StartAsync: dedupe against the cache only.
 * - `RemoveProgressItem.cs` / `ReassignProgressItem.cs`: the steps each publishes, and where each
 *   fails or honours its cancellation token.
 * Time is the portal's clock (`now`), advanced lazily and exactly: `advance()` replays, in time
 * order, every step, finish, next start and cleaner tick up to the clock's reading.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";

export const LOST_USER_ID = "4a515a15-d4d6-4b8e-828e-e0586f18f3a3";

const seedUserSchema = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  type: z.enum(["Owner", "DocSpaceAdmin", "RoomAdmin", "User", "Guest"]),
  status: z.number().int().optional(),
  /** An explicit TerminatedDate: written by `PUT people/{id}` with disable or a soft delete, never by `PUT people/status`. */
  terminated: z.string().optional(),
  ldap: z.boolean().optional(),
  ownsRooms: z.boolean().optional(),
  sso: z.boolean().optional(),
  usedSpace: z.number().nonnegative().optional(),
  activationStatus: z.number().int().optional(),
  invitedById: z.string().optional(),
  apiKeys: z.array(z.object({ name: z.string(), key: z.string(), permissions: z.array(z.string()) })).optional(),
});
export const seedSchema = z.object({
  tenantId: z.number().int(),
  portalName: z.string().optional(),
  users: z.array(seedUserSchema),
  rooms: z
    .array(z.object({ title: z.string(), ownerId: z.string(), roomType: z.number().int().optional(), archived: z.boolean().optional(), memberIds: z.array(z.string()).optional() }))
    .optional(),
  groups: z.array(z.object({ id: z.string().optional(), name: z.string(), managerId: z.string().optional(), memberIds: z.array(z.string()) })).optional(),
});
export type Seed = z.infer<typeof seedSchema>;
export type SeedUser = z.infer<typeof seedUserSchema>;

export interface SimUser {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  userName: string;
  type: SeedUser["type"];
  /** EmployeeStatus: 1 Active, 2 Terminated (disabled), 4 Pending (invited, not joined yet). */
  status: number;
  ldap: boolean;
  /** Signs in through SSO (`isSSO`). */
  sso: boolean;
  /** Administers the People module (`listAdminModules` holds "people"): only the owner may reassign their data. */
  peopleAdmin: boolean;
  /** The old seed flag: "owns rooms" for reassign/necessary even with no SimRoom; cleared when a task hands them over. */
  ownsRooms: boolean;
  /** Bytes in the personal folder and its trash: what a removal destroys. */
  usedSpace: number;
  /** EmployeeActivationStatus: 0 NotActivated, 1 Activated, 2 Pending (email not confirmed). */
  activationStatus: number;
  /** Who invited (or created) the person (`createdBy` for an admin viewer; `inviterId` filter). */
  invitedById?: string;
  removed: boolean;
  /** TerminatedDate: only from another route than `PUT people/status` (see setStatus). */
  terminatedAt?: Date;
  registeredAt: Date;
}

/** A room (a folder in the Rooms or Archive section); its creator is its owner. */
export interface SimRoom {
  id: number;
  title: string;
  /** RoomType: 1 FillingForms, 2 Editing, 5 Custom, 6 Public, 8 VirtualData. */
  roomType: number;
  ownerId: string;
  /** People the room is shared with (its members besides the owner). */
  memberIds: string[];
  archived: boolean;
  createdAt: Date;
}

/** A group (department); the manager is always also a member, as DocSpace makes it. */
export interface SimGroup {
  id: string;
  name: string;
  managerId?: string;
  memberIds: string[];
}

export interface SimApiKey {
  id: string;
  name: string;
  key: string;
  userId: string;
  permissions: string[];
  revoked: boolean;
}

export type TaskKind = "remove" | "reassign";
const KINDS: readonly TaskKind[] = ["remove", "reassign"];

/** DefaultDistributedTaskQueueFactory.RegisterQueue: timeUntilUnregisterInSeconds = 60. */
export const DOCSPACE_UNREGISTER_AFTER_MS = 60_000;
/** DistributedTaskQueueService: `new PeriodicTimer(TimeSpan.FromSeconds(10))`. */
export const DOCSPACE_CLEANER_INTERVAL_MS = 10_000;
/** DistributedTaskQueue.SaveToCache: `TimeSpan.FromDays(1)`. */
export const CACHE_LIFETIME_MS = 24 * 60 * 60_000;

/** The percentages each job publishes while it runs, in order (its PublishChanges calls before the last). */
export const TASK_STEPS: Readonly<Record<TaskKind, readonly number[]>> = {
  // RemoveProgressItem.DoJob; 100 comes with Completed, in its finally.
  remove: [5, 10, 30, 45, 50, 60, 70, 95],
  // ReassignProgressItem.DoJob: SetPercentageAndCheckCancellationAsync(p, publish: true); 100 is not published.
  reassign: [5, 10, 20, 30, 50, 70, 90, 95],
};

/**
 * A remove/start task that runs after its person was removed (a second task for the same person).
 * RemoveProgressItem.DoJob's last step calls IdentityClient.DeleteClientsAsync(UserId), whose
 * GenerateJwtTokenAsync reads the user through UserManager.GetUsersAsync: LostUser for a removed
 * one, which has no Email, and `new Claim("user_email", userInfo.Email)` throws ArgumentNullException.
 */
export const REMOVED_USER_REMOVE_ERROR = "Value cannot be null. (Parameter 'value')";
/**
 * A reassign task that runs after its person was removed: ReassignProgressItem.DoJob calls
 * FileStorageService.DemandPermissionToReassignDataAsync right after publishing 5%, which reads
 * the user (LostUser) and throws InvalidOperationException(FilesCommonResource.ErrorMessage_UserNotFound).
 */
export const REMOVED_USER_REASSIGN_ERROR = "User could not be found";

export interface TaskDto {
  id: string;
  error: string;
  percentage: number;
  isCompleted: boolean;
  status: number;
}

/** One task as the simulator records it (its own state; what DocSpace shows is its cache entry, CachedTask). */
export interface SimTask extends TaskDto {
  kind: TaskKind;
  /** "{tenantId}_{userId}_{RemoveProgressItem|ReassignProgressItem}": one cache slot per person and kind. */
  id: string;
  userId: string;
  toUserId?: string;
  deleteProfile: boolean;
  /** remove/start and reassign/start notify; the purge queued by DELETE people/{id} does not. */
  notify: boolean;
  callerId: string;
  /** 1, 2, 3... across the portal's life, in queueing order. */
  serial: number;
  /** How long it runs once the consumer takes it; read at each step, so a test may change it until then. */
  durationMs: number;
  enqueuedAt: number;
  /** When the queue's consumer took it (undefined while it waits). */
  ranAt?: number;
  finishedAt?: number;
  /** The item's own Status: Running (1) from EnqueueTask on, then 2, 3 or 4. */
  status: number;
  /** LastModifiedOn: set when queued and at each publication. */
  lastModifiedOn: number;
  /** Its cache entry was dropped (by the cleaner or a terminate) while it waited in the queue. */
  droppedWhileQueued: boolean;
  /** Its cache entry was dropped while it ran. */
  droppedWhileRunning: boolean;
  /** Its cancellation token fired while it ran (a reassign stops at its next step; a remove never looks). */
  cancelRequested: boolean;
  /** Set when this run is rigged to fail with this message (at its last step, before any effect). */
  failWith?: string;
  /** Steps of TASK_STEPS published so far. */
  stepsDone: number;
}

/** What a queue's cache holds for a task id: the task as it was at its last publication. */
export interface CachedTask extends TaskDto {
  task: SimTask;
  lastModifiedOn: number;
  /** SaveToCache: one day after the publication. */
  expiresAt: number;
}

interface TaskQueue {
  /** The channel: tasks waiting for the consumer, first in first out. */
  waiting: SimTask[];
  /** The consumer's task (several only with parallelTasks). */
  running: SimTask[];
  /** The queue's cache: task id -> its last publication. */
  cache: Map<string, CachedTask>;
  /** The queue's key list: ids PublishTask listed (only EnqueueTask calls it); the cleaner walks these only. */
  keys: string[];
}

/** A profile removed, and by what. */
export interface ProfileRemoval {
  userId: string;
  at: number;
  by: "remove" | "reassign" | "delete";
  /** The task that removed it (none for DELETE people/{id}, which removes at once). */
  serial?: number;
}

/** A refusal, mapped by the HTTP layer to DocSpace's exact answer. */
export class SimFailure extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    /** envelope: JSON error body; empty: no body (auth pipeline, 429); plain: bare 404; validation: ValidationProblemDetails in the success wrapper. */
    readonly body: "envelope" | "empty" | "plain" | "validation" = "envelope",
    readonly exceptionType = "System.ArgumentException",
  ) {
    super(message);
  }
}

const accessDenied = (): SimFailure => new SimFailure(403, "Access denied", "envelope", "System.Security.SecurityException");

/** EmployeeType on the wire and in queries: All=0, RoomAdmin=1, Guest=2, DocSpaceAdmin=3 (the owner included), User=4. */
export const EMPLOYEE_TYPE_NUMBER: Record<SeedUser["type"], number> = { Owner: 3, DocSpaceAdmin: 3, RoomAdmin: 1, Guest: 2, User: 4 };

export interface FilterQuery {
  filterValue?: string;
  filterSeparator?: string;
  employeeStatus?: number;
  activationStatus?: number;
  inviterId?: string;
  /** Area: 0 All, 1 People (no guests), 2 Guests. */
  area?: number;
  /** AccountLoginType: 0 SSO, 1 LDAP, 2 Standart (sic). */
  accountLoginType?: number;
  /** EmployeeType numbers, ORed. */
  employeeTypes?: number[];
}

export interface PortalOptions {
  /** How long a task runs once its queue's consumer takes it, fixed or a [min, max] range (default [2000, 5000]). */
  taskDurationMs?: number | [number, number];
  /**
   * TimeUntilUnregisterInSeconds, in ms (default 60 000): at each tick the cleaner drops, and cancels,
   * every task in its queue's key list whose last publication is older than this, queued, running or finished.
   */
  unregisterAfterMs?: number;
  /** The older name of `unregisterAfterMs`: the same knob (`unregisterAfterMs` wins when both are given). */
  taskExpiryMs?: number;
  /**
   * The cleaner's period (DocSpace: 10 000). When not given, it is 10 s for an expiry of 60 s or
   * more, and for a shorter expiry it scales with it as DocSpace's ratio does (10 s for 60 s): a
   * sixth of the expiry, at least 10 ms (so `taskExpiryMs: 0` sweeps every 10 ms and 5000 every 833 ms).
   */
  cleanerIntervalMs?: number;
  /**
   * The simulator's old model, for tests that need it: every task runs as soon as it is queued (no
   * waiting, so none is dropped while waiting). Dedupe, the cache and the cleaner stay as DocSpace's.
   */
  parallelTasks?: boolean;
  /**
   * The database behind the portal. "mysql" (default, DocSpace's usual; its utf8_general_ci column
   * makes `people/email` ignore letter case) or "postgres" (an exact match).
   */
  database?: "mysql" | "postgres";
  /** The tariff counts storage (`Statistic`): without it profiles carry no `usedSpace`. */
  quotaStatistics?: boolean;
  /** The clock, in ms since the epoch (default Date.now): tests drive simulated time with it. */
  now?: () => number;
}

/** The portal's settings; tests may change them while it runs. */
export class PortalSettings {
  taskDurationMs: number | [number, number];
  unregisterAfterMs: number;
  /** The explicit cleaner period, if any (see `cleanerPeriodMs` for the one in force). */
  cleanerIntervalMs: number | undefined;
  parallelTasks: boolean;
  database: "mysql" | "postgres";
  quotaStatistics: boolean;

  constructor(o: PortalOptions) {
    this.taskDurationMs = o.taskDurationMs ?? [2000, 5000];
    this.unregisterAfterMs = o.unregisterAfterMs ?? o.taskExpiryMs ?? DOCSPACE_UNREGISTER_AFTER_MS;
    this.cleanerIntervalMs = o.cleanerIntervalMs;
    this.parallelTasks = o.parallelTasks ?? false;
    this.database = o.database ?? "mysql";
    this.quotaStatistics = o.quotaStatistics ?? true;
  }

  /** The older name of `unregisterAfterMs`. */
  get taskExpiryMs(): number {
    return this.unregisterAfterMs;
  }

  set taskExpiryMs(ms: number) {
    this.unregisterAfterMs = ms;
  }

  /** The cleaner's period in force: the explicit one, else 10 s scaled down for an expiry under 60 s. */
  get cleanerPeriodMs(): number {
    if (this.cleanerIntervalMs !== undefined) return Math.max(1, this.cleanerIntervalMs);
    if (this.unregisterAfterMs >= DOCSPACE_UNREGISTER_AFTER_MS) return DOCSPACE_CLEANER_INTERVAL_MS;
    return Math.max(10, Math.round(this.unregisterAfterMs / 6));
  }
}

/** An invitation not yet accepted is Pending (UserManagerWrapper.AddInvitedUserAsync); anyone else starts Active. */
function defaultStatus(activationStatus: number | undefined, invitedById: string | undefined): number {
  return activationStatus === 2 && invitedById !== undefined ? 4 : 1;
}

export class Portal {
  readonly tenantId: number;
  readonly users = new Map<string, SimUser>();
  readonly keys = new Map<string, SimApiKey>();
  readonly rooms = new Map<number, SimRoom>();
  readonly groups = new Map<string, SimGroup>();
  private nextRoomId = 1001;
  private readonly latestTasks = new Map<string, SimTask>();
  private readonly taskLog: SimTask[] = [];
  private readonly removals: ProfileRemoval[] = [];
  /** Users whose next task fails with the given message. */
  readonly failNext = new Map<string, string>();
  /** Deletion-instruction emails sent, in order. */
  readonly selfDeleteEmails: Array<{ userId: string; email: string; at: number }> = [];
  /** Status changes applied, in order. */
  readonly statusChanges: Array<{ userIds: string[]; status: number; callerId: string; at: number }> = [];
  readonly options: PortalSettings;
  readonly now: () => number;
  /** When the queues' services started: cleaner ticks fall on whole periods from here. */
  readonly origin: number;
  /** How far the simulation has been advanced. */
  private clock: number;
  private lastTickAt: number;
  private advancing = false;
  private readonly queues: Record<TaskKind, TaskQueue> = { remove: newQueue(), reassign: newQueue() };

  /** The latest task queued for each `${kind}:${userId}` (the simulator's record, not DocSpace's cache), brought up to the clock. */
  get tasks(): ReadonlyMap<string, SimTask> {
    this.advance();
    return this.latestTasks;
  }

  /** Every task ever queued, in order (serial 1, 2, ...), whatever became of it, brought up to the clock. */
  get startedTasks(): readonly SimTask[] {
    this.advance();
    return this.taskLog;
  }

  /** Profiles removed, in order, brought up to the clock. */
  get profileRemovals(): readonly ProfileRemoval[] {
    this.advance();
    return this.removals;
  }

  constructor(seed: Seed, options: PortalOptions = {}) {
    this.tenantId = seed.tenantId;
    this.options = new PortalSettings(options);
    this.now = options.now ?? Date.now;
    this.origin = this.now();
    this.clock = this.origin;
    this.lastTickAt = this.origin;
    const registeredAt = new Date("2025-03-01T09:00:00Z");
    for (const u of seed.users) {
      const id = u.id.toLowerCase();
      this.users.set(id, {
        id,
        firstName: u.firstName,
        lastName: u.lastName,
        email: u.email,
        userName: u.email.split("@")[0]!,
        type: u.type,
        status: u.status ?? defaultStatus(u.activationStatus, u.invitedById),
        ldap: u.ldap ?? false,
        sso: u.sso ?? false,
        peopleAdmin: false,
        ownsRooms: u.ownsRooms ?? false,
        usedSpace: u.usedSpace ?? 0,
        activationStatus: u.activationStatus ?? 1,
        invitedById: u.invitedById?.toLowerCase(),
        removed: false,
        terminatedAt: u.terminated !== undefined ? new Date(u.terminated) : undefined,
        registeredAt,
      });
      for (const k of u.apiKeys ?? []) this.keys.set(k.key, { id: randomUUID(), name: k.name, key: k.key, userId: id, permissions: k.permissions, revoked: false });
    }
    for (const r of seed.rooms ?? []) this.addRoom(r);
    for (const g of seed.groups ?? []) this.addGroup(g);
  }

  // ---- seeding helpers for tests and the benchmark ------------------------------------------

  /** `status` defaults to 4 (Pending) for an invitation (invitedById with activationStatus 2), else 1; `terminatedAt` only when given. */
  addUser(partial: Partial<SimUser> & { email: string }): SimUser {
    const id = (partial.id ?? randomUUID()).toLowerCase();
    const [first = "User", last = "Generated"] = partial.email.split("@")[0]!.split(".");
    const user: SimUser = {
      id,
      firstName: partial.firstName ?? capitalise(first),
      lastName: partial.lastName ?? capitalise(last),
      email: partial.email,
      userName: partial.userName ?? partial.email.split("@")[0]!,
      type: partial.type ?? "User",
      status: partial.status ?? defaultStatus(partial.activationStatus, partial.invitedById),
      ldap: partial.ldap ?? false,
      sso: partial.sso ?? false,
      peopleAdmin: partial.peopleAdmin ?? false,
      ownsRooms: partial.ownsRooms ?? false,
      usedSpace: partial.usedSpace ?? 0,
      activationStatus: partial.activationStatus ?? 1,
      invitedById: partial.invitedById?.toLowerCase(),
      removed: false,
      terminatedAt: partial.terminatedAt,
      registeredAt: partial.registeredAt ?? new Date(this.now()),
    };
    this.users.set(id, user);
    return user;
  }

  addRoom(r: { title: string; ownerId: string; roomType?: number; archived?: boolean; memberIds?: string[] }): SimRoom {
    const room: SimRoom = {
      id: this.nextRoomId++,
      title: r.title,
      roomType: r.roomType ?? 2,
      ownerId: r.ownerId.toLowerCase(),
      memberIds: (r.memberIds ?? []).map((m) => m.toLowerCase()),
      archived: r.archived ?? false,
      createdAt: new Date(this.now()),
    };
    this.rooms.set(room.id, room);
    return room;
  }

  /** The manager joins the members, as `POST group` does. */
  addGroup(g: { id?: string; name: string; managerId?: string; memberIds: string[] }): SimGroup {
    const managerId = g.managerId?.toLowerCase();
    const memberIds = [...new Set([...(managerId ? [managerId] : []), ...g.memberIds.map((m) => m.toLowerCase())])];
    const group: SimGroup = { id: (g.id ?? randomUUID()).toLowerCase(), name: g.name, managerId, memberIds };
    this.groups.set(group.id, group);
    return group;
  }

  roomsOwnedBy(userId: string): SimRoom[] {
    const id = userId.toLowerCase();
    return [...this.rooms.values()].filter((r) => r.ownerId === id);
  }

  groupsOf(userId: string): SimGroup[] {
    const id = userId.toLowerCase();
    return [...this.groups.values()].filter((g) => g.memberIds.includes(id));
  }

  addApiKey(userId: string, key: string, permissions: string[] = ["*"], name = "test key"): void {
    this.keys.set(key, { id: randomUUID(), name, key, userId: userId.toLowerCase(), permissions, revoked: false });
  }

  /**
   * Contract 7.13: `Email == email` in the database, removed users ignored. MySQL's utf8_general_ci
   * column ignores letter case; PostgreSQL compares exactly.
   */
  userByEmail(email: string): SimUser | undefined {
    this.advance();
    const same = this.options.database === "mysql" ? (a: string): boolean => a.toLowerCase() === email.toLowerCase() : (a: string): boolean => a === email;
    for (const u of this.users.values()) if (!u.removed && same(u.email)) return u;
    return undefined;
  }

  liveUser(id: string): SimUser | undefined {
    this.advance();
    const u = this.users.get(id.toLowerCase());
    return u && !u.removed ? u : undefined;
  }

  // ---- roles (EmployeeType is derived from the flags) ----------------------------------------------------------

  isDocSpaceAdmin(u: SimUser): boolean {
    return u.type === "Owner" || u.type === "DocSpaceAdmin";
  }

  isTerminated(u: SimUser): boolean {
    return u.status === 2;
  }

  canView(caller: SimUser, target: SimUser): boolean {
    if (caller.id === target.id || this.isDocSpaceAdmin(caller)) return true;
    // A room admin sees guests only when related to them; here: guests they invited (DocSpace's CanUserViewAnotherUser).
    return caller.type === "RoomAdmin" && (target.type !== "Guest" || target.invitedById === caller.id);
  }

  // ---- the task queues ---------------------------------------------------------------------------------------

  /**
   * Brings the queues up to `now` (never backwards), replaying every event in time order: a task's
   * step (a publication), its end and its effects, the next queued task starting, a cleaner tick.
   * At the same instant task events come before the tick. Ticks that would change nothing are skipped.
   */
  advance(now = this.now()): void {
    if (this.advancing) return;
    this.advancing = true;
    try {
      const until = Math.max(now, this.clock);
      for (;;) {
        const next = this.nextTaskEvent();
        const tick = this.nextUsefulTick();
        const at = Math.min(next?.at ?? Infinity, tick);
        if (at > until) break;
        this.clock = at;
        if (next !== undefined && next.at <= tick) this.runStep(next.task, at);
        else this.cleanerTick(at);
      }
      this.clock = until;
    } finally {
      this.advancing = false;
    }
  }

  /** When a running task's next step (or its end) falls due. */
  private eventAt(t: SimTask): number {
    const steps = TASK_STEPS[t.kind];
    const ranAt = t.ranAt!;
    if (t.stepsDone >= steps.length) return ranAt + t.durationMs;
    // The first publication follows at once (only the caller's authentication comes before it).
    return t.stepsDone === 0 ? ranAt : ranAt + Math.floor((t.durationMs * steps[t.stepsDone]!) / 100);
  }

  private nextTaskEvent(): { task: SimTask; at: number } | undefined {
    let best: { task: SimTask; at: number } | undefined;
    for (const kind of KINDS) {
      for (const task of this.queues[kind].running) {
        // Never before the clock: a test may shorten a running task's durationMs.
        const at = Math.max(this.eventAt(task), this.clock);
        if (best === undefined || at < best.at || (at === best.at && task.serial < best.task.serial)) best = { task, at };
      }
    }
    return best;
  }

  private firstTickAtOrAfter(x: number): number {
    const p = this.options.cleanerPeriodMs;
    return this.origin + Math.ceil((x - this.origin) / p) * p;
  }

  private firstTickAfter(x: number): number {
    const p = this.options.cleanerPeriodMs;
    return this.origin + (Math.floor((x - this.origin) / p) + 1) * p;
  }

  /** The first cleaner tick not yet passed that would drop something from a key list (Infinity when none would). */
  private nextUsefulTick(): number {
    const lower = Math.max(this.firstTickAfter(this.lastTickAt), this.firstTickAtOrAfter(this.clock));
    const expiry = this.options.unregisterAfterMs;
    let best = Infinity;
    for (const kind of KINDS) {
      const q = this.queues[kind];
      for (const id of q.keys) {
        const e = q.cache.get(id);
        // A listed id without a cache entry leaves the list at the next tick; an entry goes when it expires or is stale.
        const due = e === undefined ? lower : Math.max(lower, Math.min(this.firstTickAtOrAfter(e.expiresAt), this.firstTickAfter(e.lastModifiedOn + expiry)));
        best = Math.min(best, due);
      }
    }
    return best;
  }

  /** DistributedTaskQueueService's cleaner, for both queues. */
  private cleanerTick(at: number): void {
    this.lastTickAt = at;
    const expiry = this.options.unregisterAfterMs;
    for (const kind of KINDS) {
      const q = this.queues[kind];
      const drop = new Set<string>();
      for (const id of q.keys) {
        const e = this.cached(kind, id, at);
        if (e === undefined) drop.add(id);
        else if (e.lastModifiedOn + expiry < at) {
          drop.add(id);
          this.dequeue(kind, id);
        }
      }
      if (drop.size > 0) q.keys = q.keys.filter((id) => !drop.has(id));
    }
  }

  /** PeekTask: the cache entry for `id`, if it has not outlived its day. */
  private cached(kind: TaskKind, id: string, at: number): CachedTask | undefined {
    const q = this.queues[kind];
    const e = q.cache.get(id);
    if (e !== undefined && at >= e.expiresAt) {
      q.cache.delete(id);
      return undefined;
    }
    return e;
  }

  /**
   * DequeueTask: the cancellation goes to the token the consumer registered for this id (its latest
   * started task's: a task still queued has none yet), and the cache entry goes. The key list keeps the id.
   */
  private dequeue(kind: TaskKind, id: string): void {
    const q = this.queues[kind];
    const latest = [...this.taskLog].reverse().find((t) => t.kind === kind && t.id === id && t.ranAt !== undefined);
    if (latest !== undefined && latest.finishedAt === undefined) latest.cancelRequested = true;
    const e = q.cache.get(id);
    if (e === undefined) return;
    if (e.task.ranAt === undefined) e.task.droppedWhileQueued = true;
    else if (e.task.finishedAt === undefined) e.task.droppedWhileRunning = true;
    q.cache.delete(id);
  }

  /** A publication (GetPublication / SaveToCache): into the cache, for a day; never into the key list. */
  private publish(t: SimTask, at: number): void {
    t.lastModifiedOn = at;
    this.queues[t.kind].cache.set(t.id, { task: t, id: t.id, error: t.error, percentage: t.percentage, isCompleted: t.isCompleted, status: t.status, lastModifiedOn: at, expiresAt: at + CACHE_LIFETIME_MS });
  }

  /** EnqueueTask: into the channel, Running, then PublishTask (the cache and the key list). */
  private enqueue(t: SimTask, at: number): void {
    const q = this.queues[t.kind];
    q.waiting.push(t);
    t.status = 1;
    this.publish(t, at);
    if (!q.keys.includes(t.id)) q.keys.push(t.id);
    this.pump(t.kind, at);
  }

  /** The consumer takes the next queued task when it is free (every one at once with parallelTasks). */
  private pump(kind: TaskKind, at: number): void {
    const q = this.queues[kind];
    while (q.waiting.length > 0 && (this.options.parallelTasks || q.running.length === 0)) {
      const t = q.waiting.shift()!;
      t.ranAt = at;
      t.percentage = 0;
      q.running.push(t);
    }
  }

  /** One event of a running task: its next publication, or its last stretch and end. */
  private runStep(t: SimTask, at: number): void {
    const steps = TASK_STEPS[t.kind];
    if (t.stepsDone < steps.length) {
      t.percentage = steps[t.stepsDone]!;
      t.stepsDone++;
      this.publish(t, at);
      if (t.kind === "reassign") {
        // SetPercentageAndCheckCancellationAsync: the token is checked right after each publication.
        if (t.cancelRequested) return this.end(t, at, 3);
        if (t.stepsDone === 1 && this.users.get(t.userId)?.removed !== false) return this.end(t, at, 4, REMOVED_USER_REASSIGN_ERROR);
      }
      return;
    }
    if (t.failWith !== undefined) return this.end(t, at, 4, t.failWith);
    const user = this.users.get(t.userId);
    if (t.kind === "remove") {
      if (t.deleteProfile && (user === undefined || user.removed)) return this.end(t, at, 4, REMOVED_USER_REMOVE_ERROR);
      // Rooms and shared entries go to the caller, archived ones included; personal data is deleted.
      this.handRoomsOver(t.userId, t.callerId);
      if (user !== undefined) {
        user.ownsRooms = false;
        user.usedSpace = 0;
      }
      if (t.deleteProfile) this.dropProfile(t.userId, "remove", at, t.serial);
      t.percentage = 100;
      return this.end(t, at, 2);
    }
    this.handRoomsOver(t.userId, t.toUserId!);
    if (user !== undefined) user.ownsRooms = false;
    if (t.deleteProfile) this.dropProfile(t.userId, "reassign", at, t.serial);
    t.percentage = 100;
    // SetPercentageAndCheckCancellationAsync(100, false) still checks the token, after the effects.
    return this.end(t, at, t.cancelRequested ? 3 : 2);
  }

  /** The job's finally (IsCompleted, a publication), then the consumer takes the next task. */
  private end(t: SimTask, at: number, status: number, error?: string): void {
    t.status = status;
    if (error !== undefined) t.error = error;
    t.isCompleted = true;
    t.finishedAt = at;
    this.publish(t, at);
    const q = this.queues[t.kind];
    q.running = q.running.filter((x) => x !== t);
    this.pump(t.kind, at);
  }

  private handRoomsOver(fromId: string, toId: string): void {
    for (const r of this.rooms.values()) if (r.ownerId === fromId) r.ownerId = toId;
  }

  /** The profile is gone: its personal folder, its group memberships and room shares, its keys. */
  private dropProfile(userId: string, by: ProfileRemoval["by"], at: number, serial?: number): void {
    const u = this.users.get(userId);
    if (u) {
      u.removed = true;
      u.usedSpace = 0;
    }
    for (const g of this.groups.values()) {
      g.memberIds = g.memberIds.filter((m) => m !== userId);
      if (g.managerId === userId) g.managerId = undefined;
    }
    // FileSecurity.RemoveSubjectAsync: the person's shares (room memberships) go with the profile.
    for (const r of this.rooms.values()) r.memberIds = r.memberIds.filter((m) => m !== userId);
    for (const [k, key] of this.keys) if (key.userId === userId) this.keys.delete(k);
    this.removals.push({ userId, at, by, serial });
  }

  private duration(): number {
    const d = this.options.taskDurationMs;
    if (typeof d === "number") return d;
    return Math.round(d[0] + Math.random() * (d[1] - d[0]));
  }

  private taskId(kind: TaskKind, userId: string): string {
    return `${this.tenantId}_${userId}_${kind === "remove" ? "RemoveProgressItem" : "ReassignProgressItem"}`;
  }

  /**
   * QueueWorker.StartAsync: a cached task that is not completed is returned as it was last
   * published; a cached completed one is dequeued and a new task queued; a task no longer cached
   * is not seen, so a new one is queued beside it.
   */
  private startTask(kind: TaskKind, caller: SimUser, userId: string, toUserId: string | undefined, deleteProfile: boolean, notify: boolean): { task: SimTask; dto: TaskDto } {
    this.advance();
    const at = this.clock;
    const id = this.taskId(kind, userId);
    let cached = this.cached(kind, id, at);
    if (cached?.isCompleted) {
      this.dequeue(kind, id);
      cached = undefined;
    }
    if (cached !== undefined) return { task: cached.task, dto: Portal.dto(cached) };
    const failWith = this.failNext.get(userId);
    if (failWith !== undefined) this.failNext.delete(userId);
    const task: SimTask = {
      kind,
      id,
      userId,
      toUserId,
      deleteProfile,
      notify,
      callerId: caller.id,
      serial: this.taskLog.length + 1,
      durationMs: this.duration(),
      enqueuedAt: at,
      status: 0,
      percentage: 0,
      error: "",
      isCompleted: false,
      lastModifiedOn: at,
      droppedWhileQueued: false,
      droppedWhileRunning: false,
      cancelRequested: false,
      failWith,
      stepsDone: 0,
    };
    this.latestTasks.set(`${kind}:${userId}`, task);
    this.taskLog.push(task);
    this.enqueue(task, at);
    // TaskProgressResponseDto of the item EnqueueTask just published: Running, 0%.
    return { task, dto: Portal.dto(task) };
  }

  static dto(t: TaskDto): TaskDto {
    return { id: t.id, error: t.error, percentage: t.percentage, isCompleted: t.isCompleted, status: t.status };
  }

  /** What GET progress shows for the person: the cache entry, if any. */
  visibleTask(kind: TaskKind, userId: string): CachedTask | undefined {
    this.advance();
    return this.cached(kind, this.taskId(kind, userId.toLowerCase()), this.clock);
  }

  /** A queue as it stands (copies): the consumer's task(s), the channel, the key list. */
  queueOf(kind: TaskKind): { running: SimTask[]; waiting: SimTask[]; keys: string[] } {
    this.advance();
    const q = this.queues[kind];
    return { running: [...q.running], waiting: [...q.waiting], keys: [...q.keys] };
  }

  /** Every task ever queued for the person (of one kind, if given), in order. */
  tasksFor(userId: string, kind?: TaskKind): SimTask[] {
    this.advance();
    const id = userId.toLowerCase();
    return this.taskLog.filter((t) => t.userId === id && (kind === undefined || t.kind === kind));
  }

  /** The ids of the profiles removed so far, in order (a person twice here would be a simulator bug). */
  removedUsers(): string[] {
    this.advance();
    return this.removals.map((r) => r.userId);
  }

  // ---- endpoint rules (the checks in the order DocSpace's controllers make them) -------------------------------------------------

  requireEditUser(caller: SimUser): void {
    if (!this.isDocSpaceAdmin(caller)) throw accessDenied();
  }

  /** 7.1 POST people/remove/start */
  startRemove(caller: SimUser, userId: string): { task: SimTask; dto: TaskDto } {
    this.requireEditUser(caller);
    const target = this.liveUser(userId);
    if (!target) throw new SimFailure(400, `User with id = ${userId} not found`);
    if (target.type === "Owner" || target.id === caller.id || !this.isTerminated(target)) {
      throw new SimFailure(400, `Can not delete user with id = ${userId}`);
    }
    if (target.type === "DocSpaceAdmin" && caller.type !== "Owner") throw accessDenied();
    return this.startTask("remove", caller, target.id, undefined, true, true);
  }

  /**
   * A task started outside this tool, as DocSpace's own UI (or another admin's script) would start
   * it: the same queue, the same dedupe. The account is disabled first, as the UI does (through
   * PUT people/status, so no terminated date).
   */
  startFromUi(kind: TaskKind, userId: string, opts: { toUserId?: string; deleteProfile?: boolean; by?: string } = {}): SimTask {
    const caller = this.liveUser(opts.by ?? [...this.users.values()].find((u) => u.type === "Owner")!.id)!;
    const target = this.liveUser(userId);
    if (!target) throw new Error(`startFromUi: no live user ${userId}`);
    if (!this.isTerminated(target)) target.status = 2;
    return (kind === "remove" ? this.startRemove(caller, target.id) : this.startReassign(caller, target.id, opts.toUserId!, opts.deleteProfile ?? false)).task;
  }

  /** 7.2 / 7.5 progress: the cache entry, or nothing. */
  progress(caller: SimUser, kind: TaskKind, userId: string): CachedTask | undefined {
    this.requireEditUser(caller);
    if (kind === "reassign") {
      const target = this.liveUser(userId);
      if (target && this.isDocSpaceAdmin(target) && caller.type !== "Owner") throw accessDenied();
    }
    return this.visibleTask(kind, userId);
  }

  /** 7.3 PUT people/remove/terminate: DequeueTask; RemoveProgressItem never checks its token and goes on. */
  terminateRemove(caller: SimUser, userId: string): void {
    this.requireEditUser(caller);
    this.advance();
    const id = this.taskId("remove", userId.toLowerCase());
    if (this.cached("remove", id, this.clock) !== undefined) this.dequeue("remove", id);
  }

  /** 7.4 POST people/reassign/start */
  startReassign(caller: SimUser, fromUserId: string, toUserId: string, deleteProfile: boolean): { task: SimTask; dto: TaskDto } {
    this.requireEditUser(caller);
    const to = this.liveUser(toUserId);
    if (!to || to.id === LOST_USER_ID || !(to.type === "RoomAdmin" || this.isDocSpaceAdmin(to)) || this.isTerminated(to)) {
      throw new SimFailure(400, `Can not reassign data to user with id = ${to ? to.id : LOST_USER_ID}`);
    }
    const from = this.liveUser(fromUserId);
    const refuseFrom = (): SimFailure => new SimFailure(400, `Can not reassign data from user with id = ${from ? from.id : LOST_USER_ID}`);
    if (!from || from.type === "Owner" || from.id === caller.id || !this.isTerminated(from)) throw refuseFrom();
    // ReassignController.StartReassign: a DocSpace admin's or a People-module admin's data, only for the owner.
    if ((from.type === "DocSpaceAdmin" || from.peopleAdmin) && caller.type !== "Owner") throw refuseFrom();
    return this.startTask("reassign", caller, from.id, to.id, deleteProfile, true);
  }

  /**
   * 7.6 PUT people/reassign/terminate: DequeueTask, and the answer says Canceled. A running task
   * stops at its next step; a queued one has no token yet and runs later all the same.
   */
  terminateReassign(caller: SimUser, userId: string): TaskDto | undefined {
    this.progress(caller, "reassign", userId);
    const id = this.taskId("reassign", userId.toLowerCase());
    const e = this.cached("reassign", id, this.clock);
    if (e === undefined) return undefined;
    this.dequeue("reassign", id);
    return { ...Portal.dto(e), status: 3, isCompleted: true };
  }

  /**
   * 7.7 GET people/reassign/necessary: FileStorageService.AnyRoomsAsync, the active rooms with the
   * user as subject (FolderDao.BuildRoomsQuery: CreateBy == user or a share to them).
   */
  reassignNecessary(caller: SimUser, userId: string, type: string): boolean {
    const adminType = type === "DocSpaceAdmin" || type === "3";
    if (!this.isDocSpaceAdmin(caller) && !(caller.type === "RoomAdmin" && ["User", "Guest", "4", "2"].includes(type))) throw accessDenied();
    if (adminType && caller.type !== "Owner") throw accessDenied();
    const u = this.liveUser(userId);
    if (!u) return false;
    // GetUserTypeAsync(userId): the target's own type decides too (the owner counts as a DocSpace admin).
    if (this.isDocSpaceAdmin(u) && caller.type !== "Owner") throw accessDenied();
    return u.ownsRooms || [...this.rooms.values()].some((r) => !r.archived && (r.ownerId === u.id || r.memberIds.includes(u.id)));
  }

  /** 7.8 PUT people/self/delete */
  sendSelfDelete(caller: SimUser): string {
    if (caller.type === "Owner" || caller.ldap) throw accessDenied();
    this.selfDeleteEmails.push({ userId: caller.id, email: caller.email, at: this.now() });
    return `Instructions to disable your profile has been sent to <b>${caller.email}</b> email address`;
  }

  /**
   * 7.9 PUT people/status/{status}: all or nothing. UserController.UpdateUserStatus never writes
   * TerminatedDate and never clears one; enabling touches disabled accounts only, and one that
   * never set a name after an invitation goes back to Pending.
   */
  setStatus(caller: SimUser, status: number, userIds: string[]): SimUser[] {
    this.requireEditUser(caller);
    const targets = userIds.map((id) => {
      const u = this.liveUser(id);
      if (!u || u.id === LOST_USER_ID || u.ldap || u.type === "Owner" || u.id === caller.id) throw accessDenied();
      if (u.type === "DocSpaceAdmin" && caller.type !== "Owner") throw accessDenied();
      return u;
    });
    for (const u of targets) {
      if (status === 2) u.status = 2;
      else if (u.status === 2) u.status = u.firstName === "" && u.lastName === "" && u.invitedById !== undefined ? 4 : 1;
    }
    this.statusChanges.push({ userIds: targets.map((u) => u.id), status, callerId: caller.id, at: this.now() });
    return targets;
  }

  /**
   * 7.10 DELETE people/{userid}: the profile goes at once, then a RemoveProgressItem (no notify, no
   * profile deletion) is queued in the remove queue to purge the data; it hands the rooms to the caller when it runs.
   */
  deleteProfile(caller: SimUser, idOrName: string): SimUser {
    if (!this.isDocSpaceAdmin(caller)) throw accessDenied();
    const u = this.liveUser(idOrName) ?? [...this.users.values()].find((x) => !x.removed && x.userName === idOrName);
    if (!u) throw new SimFailure(404, "The user could not be found", "envelope", "System.Collections.Generic.KeyNotFoundException");
    if (u.ldap) throw accessDenied();
    if (!this.isTerminated(u)) throw new SimFailure(403, "The user is not suspended", "envelope", "System.InvalidOperationException");
    if (u.type === "DocSpaceAdmin" && caller.type !== "Owner") throw accessDenied();
    // CheckReassignProcessAsync: a cached reassign that is not completed.
    const reassign = this.cached("reassign", this.taskId("reassign", u.id), this.clock);
    if (reassign && !reassign.isCompleted) throw new SimFailure(500, `Data reassign process for ${u.firstName} ${u.lastName} is not complete.`, "envelope", "System.Exception");
    const before = { ...u };
    this.dropProfile(u.id, "delete", this.clock);
    this.startTask("remove", caller, u.id, undefined, false, false);
    return before;
  }

  /**
   * 7.15 filter: lower-cased substring match, terms ANDed (ORed with a separator), plus the
   * report filters (7.16). Insertion order, so pages are stable.
   */
  filter(caller: SimUser, q: FilterQuery): SimUser[] {
    if (!(this.isDocSpaceAdmin(caller) || caller.type === "RoomAdmin")) throw accessDenied();
    const admin = this.isDocSpaceAdmin(caller);
    const value = (q.filterValue ?? "").toLowerCase().trim();
    const terms = value === "" ? [] : q.filterSeparator ? value.split(q.filterSeparator).filter(Boolean) : value.split(/\s+/);
    const inviter = q.inviterId?.toLowerCase();
    return [...this.users.values()].filter((u) => {
      if (u.removed) return false;
      if (!statusMatches(u.status, q.employeeStatus, admin)) return false;
      if (q.activationStatus !== undefined && u.activationStatus !== q.activationStatus) return false;
      if (inviter !== undefined && u.invitedById !== inviter) return false;
      if (q.area === 1 && u.type === "Guest") return false;
      if (q.area === 2 && u.type !== "Guest") return false;
      if (q.accountLoginType === 0 && !u.sso) return false;
      if (q.accountLoginType === 1 && !u.ldap) return false;
      if (q.accountLoginType === 2 && (u.sso || u.ldap)) return false;
      if (q.employeeTypes && q.employeeTypes.length > 0 && !q.employeeTypes.includes(EMPLOYEE_TYPE_NUMBER[u.type])) return false;
      if (terms.length === 0) return true;
      // Each field lower-cased once per user, not once per term: a look-up ORs many addresses.
      const fields = [u.firstName.toLowerCase(), u.lastName.toLowerCase(), u.email.toLowerCase()];
      const matches = (term: string): boolean => fields[0]!.includes(term) || fields[1]!.includes(term) || fields[2]!.includes(term);
      return q.filterSeparator ? terms.some(matches) : terms.every(matches);
    });
  }

  /**
   * GET files/rooms: a section (Active, Archive or Any), narrowed to one creator. A portal admin
   * sees every room; anyone else only the rooms they hold (here: created).
   */
  listRooms(caller: SimUser, q: { subjectOwnerId?: string; searchArea: number }): SimRoom[] {
    const owner = q.subjectOwnerId?.toLowerCase();
    return [...this.rooms.values()].filter((r) => {
      if (q.searchArea === 0 && r.archived) return false;
      if (q.searchArea === 1 && !r.archived) return false;
      if (q.searchArea !== 0 && q.searchArea !== 1 && q.searchArea !== 2) return false;
      if (owner !== undefined && r.ownerId !== owner) return false;
      return this.isDocSpaceAdmin(caller) || r.ownerId === caller.id;
    });
  }

  /** An API key acts as its creator; a creator who is not Active (disabled or still Pending) gets 401 (SecurityContext: "Account disabled."). */
  authenticate(key: string): SimUser | undefined {
    const k = this.keys.get(key);
    if (!k || k.revoked) return undefined;
    const u = this.liveUser(k.userId);
    if (!u || u.status !== 1) return undefined;
    return u;
  }

  revokeKey(key: string): void {
    const k = this.keys.get(key);
    if (k) k.revoked = true;
  }
}

/**
 * DbUserService.GetUserQueryForFilter: 1 and 5 (Default) are Active only; 2 is Terminated for a
 * DocSpace admin and nothing for anyone else; 4 is Pending; 7 (All) or none is everything an admin
 * sees and all but the disabled for anyone else; any other value filters nothing.
 */
function statusMatches(status: number, asked: number | undefined, admin: boolean): boolean {
  switch (asked) {
    case undefined:
    case 7:
      return admin || status !== 2;
    case 1:
    case 5:
      return status === 1;
    case 2:
      return admin && status === 2;
    case 4:
      return status === 4;
    default:
      return true;
  }
}

function newQueue(): TaskQueue {
  return { waiting: [], running: [], cache: new Map(), keys: [] };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
