/**
 * The simulated portal's state and rules, with no HTTP in it: users, API keys, and the remove /
 * reassign task queue, as DocSpace's server behaves. The HTTP layer (server.ts) maps
 * each `SimFailure` to the exact status and body DocSpace would send.
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
  rooms: z.array(z.object({ title: z.string(), ownerId: z.string(), roomType: z.number().int().optional(), archived: z.boolean().optional() })).optional(),
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
  status: number;
  ldap: boolean;
  /** Signs in through SSO (`isSSO`). */
  sso: boolean;
  /** The old seed flag: counts as owning rooms for reassign/necessary even with no SimRoom. */
  ownsRooms: boolean;
  /** Bytes in the personal folder and its trash: what a removal destroys. */
  usedSpace: number;
  /** EmployeeActivationStatus: 0 NotActivated, 1 Activated, 2 Pending (invitation not accepted). */
  activationStatus: number;
  /** Who invited the person (`createdBy` for an admin viewer; `inviterId` filter). */
  invitedById?: string;
  removed: boolean;
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

export interface SimTask {
  kind: TaskKind;
  id: string;
  userId: string;
  toUserId?: string;
  deleteProfile: boolean;
  callerId: string;
  startedAt: number;
  durationMs: number;
  status: number;
  percentage: number;
  error: string;
  modifiedAt: number;
  /** Set when this run is rigged to fail with this message. */
  failWith?: string;
  /** remove/terminate hides the task, but DocSpace's job never checks its cancellation token and goes on. */
  hidden: boolean;
  /** Serial number across the portal's life: lets tests count starts. */
  serial: number;
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
  /** Task duration in ms, fixed or a [min, max] range. */
  taskDurationMs?: number | [number, number];
  /** How long a finished task stays readable (DocSpace: 60 s unmodified, swept every 10 s). */
  taskExpiryMs?: number;
  /** The tariff counts storage (`Statistic`): without it profiles carry no `usedSpace`. */
  quotaStatistics?: boolean;
}

export interface TaskDto {
  id: string;
  error: string;
  percentage: number;
  isCompleted: boolean;
  status: number;
}

export class Portal {
  readonly tenantId: number;
  readonly users = new Map<string, SimUser>();
  readonly keys = new Map<string, SimApiKey>();
  readonly rooms = new Map<number, SimRoom>();
  readonly groups = new Map<string, SimGroup>();
  private nextRoomId = 1001;
  /** Tasks by `${kind}:${userId}`. */
  readonly tasks = new Map<string, SimTask>();
  /** Every task ever started, in order (tests assert "exactly once" from this). */
  readonly startedTasks: SimTask[] = [];
  /** Users whose next task fails with the given message. */
  readonly failNext = new Map<string, string>();
  /** Deletion-instruction emails sent, in order. */
  readonly selfDeleteEmails: Array<{ userId: string; email: string; at: number }> = [];
  /** Status changes applied, in order. */
  readonly statusChanges: Array<{ userIds: string[]; status: number; callerId: string; at: number }> = [];
  options: Required<PortalOptions>;

  constructor(seed: Seed, options: PortalOptions = {}) {
    this.tenantId = seed.tenantId;
    this.options = { taskDurationMs: options.taskDurationMs ?? [2000, 5000], taskExpiryMs: options.taskExpiryMs ?? 60_000, quotaStatistics: options.quotaStatistics ?? true };
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
        status: u.status ?? 1,
        ldap: u.ldap ?? false,
        sso: u.sso ?? false,
        ownsRooms: u.ownsRooms ?? false,
        usedSpace: u.usedSpace ?? 0,
        activationStatus: u.activationStatus ?? 1,
        invitedById: u.invitedById?.toLowerCase(),
        removed: false,
        terminatedAt: u.status === 2 ? new Date("2026-10-01T12:00:00Z") : undefined,
        registeredAt,
      });
      for (const k of u.apiKeys ?? []) this.keys.set(k.key, { id: randomUUID(), name: k.name, key: k.key, userId: id, permissions: k.permissions, revoked: false });
    }
    for (const r of seed.rooms ?? []) this.addRoom(r);
    for (const g of seed.groups ?? []) this.addGroup(g);
  }

  // ---- seeding helpers for tests and the benchmark ------------------------------------------

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
      status: partial.status ?? 1,
      ldap: partial.ldap ?? false,
      sso: partial.sso ?? false,
      ownsRooms: partial.ownsRooms ?? false,
      usedSpace: partial.usedSpace ?? 0,
      activationStatus: partial.activationStatus ?? 1,
      invitedById: partial.invitedById?.toLowerCase(),
      removed: false,
      terminatedAt: partial.terminatedAt ?? ((partial.status ?? 1) & 2 ? new Date() : undefined),
      registeredAt: partial.registeredAt ?? new Date(),
    };
    this.users.set(id, user);
    return user;
  }

  addRoom(r: { title: string; ownerId: string; roomType?: number; archived?: boolean }): SimRoom {
    const room: SimRoom = { id: this.nextRoomId++, title: r.title, roomType: r.roomType ?? 2, ownerId: r.ownerId.toLowerCase(), archived: r.archived ?? false, createdAt: new Date() };
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

  /** Contract 7.13: an exact match on the stored address (letter case included), removed users ignored. */
  userByEmail(email: string): SimUser | undefined {
    for (const u of this.users.values()) if (!u.removed && u.email === email) return u;
    return undefined;
  }

  liveUser(id: string): SimUser | undefined {
    const u = this.users.get(id.toLowerCase());
    return u && !u.removed ? u : undefined;
  }

  // ---- roles (EmployeeType is derived from the flags) ----------------------------------------------------------

  isDocSpaceAdmin(u: SimUser): boolean {
    return u.type === "Owner" || u.type === "DocSpaceAdmin";
  }

  isTerminated(u: SimUser): boolean {
    return (u.status & 2) !== 0;
  }

  canView(caller: SimUser, target: SimUser): boolean {
    if (caller.id === target.id || this.isDocSpaceAdmin(caller)) return true;
    // A room admin sees guests only when related to them; here: guests they invited (DocSpace's CanUserViewAnotherUser).
    return caller.type === "RoomAdmin" && (target.type !== "Guest" || target.invitedById === caller.id);
  }

  // ---- the task queue (dedupe while running, expiry 60 s after the last change) -------------------------------------------------

  /** Brings every task up to `now`: progress, completion and its effects, expiry. */
  advance(now = Date.now()): void {
    for (const [key, t] of this.tasks) {
      if (t.status === 1) {
        const elapsed = now - t.startedAt;
        if (elapsed >= t.durationMs) this.finish(t, t.startedAt + t.durationMs);
        else {
          const pct = Math.min(99, Math.floor((elapsed / t.durationMs) * 100));
          if (pct !== t.percentage) {
            t.percentage = pct;
            t.modifiedAt = now;
          }
        }
      }
      if (t.status !== 1 && now - t.modifiedAt > this.options.taskExpiryMs) this.tasks.delete(key);
    }
  }

  private finish(t: SimTask, at: number): void {
    t.modifiedAt = at;
    // A publish after remove/terminate puts the task back into progress: the job never stopped.
    t.hidden = false;
    if (t.failWith !== undefined) {
      t.status = 4;
      t.error = t.failWith;
      return;
    }
    t.status = 2;
    t.percentage = 100;
    // Rooms go to the caller (remove) or to toUser (reassign), archived ones included.
    this.handRoomsOver(t.userId, t.kind === "remove" ? t.callerId : t.toUserId!);
    const u = this.users.get(t.userId);
    if (u) u.ownsRooms = false;
    if (t.deleteProfile || t.kind === "remove") this.dropProfile(t.userId);
  }

  private handRoomsOver(fromId: string, toId: string): void {
    for (const r of this.rooms.values()) if (r.ownerId === fromId) r.ownerId = toId;
  }

  /** The profile is gone: its personal folder, its group memberships, its keys. */
  private dropProfile(userId: string): void {
    const u = this.users.get(userId);
    if (u) {
      u.removed = true;
      u.usedSpace = 0;
    }
    for (const g of this.groups.values()) {
      g.memberIds = g.memberIds.filter((m) => m !== userId);
      if (g.managerId === userId) g.managerId = undefined;
    }
    for (const [k, key] of this.keys) if (key.userId === userId) this.keys.delete(k);
  }

  private duration(): number {
    const d = this.options.taskDurationMs;
    if (typeof d === "number") return d;
    return Math.round(d[0] + Math.random() * (d[1] - d[0]));
  }

  private startTask(kind: TaskKind, caller: SimUser, userId: string, toUserId: string | undefined, deleteProfile: boolean): SimTask {
    const key = `${kind}:${userId}`;
    const existing = this.tasks.get(key);
    // Dedupe: an unfinished task is returned as it is; a finished one is dropped.
    if (existing && existing.status < 2) {
      existing.hidden = false;
      return existing;
    }
    const now = Date.now();
    const failWith = this.failNext.get(userId);
    if (failWith !== undefined) this.failNext.delete(userId);
    const task: SimTask = {
      kind,
      id: `${this.tenantId}_${userId}_${kind === "remove" ? "RemoveProgressItem" : "ReassignProgressItem"}`,
      userId,
      toUserId,
      deleteProfile,
      callerId: caller.id,
      startedAt: now,
      durationMs: this.duration(),
      status: 1,
      percentage: 0,
      error: "",
      modifiedAt: now,
      failWith,
      hidden: false,
      serial: this.startedTasks.length + 1,
    };
    this.tasks.set(key, task);
    this.startedTasks.push(task);
    return task;
  }

  static dto(t: SimTask): TaskDto {
    return { id: t.id, error: t.error, percentage: t.percentage, isCompleted: t.status >= 2, status: t.status };
  }

  visibleTask(kind: TaskKind, userId: string): SimTask | undefined {
    const t = this.tasks.get(`${kind}:${userId.toLowerCase()}`);
    return t && !t.hidden ? t : undefined;
  }

  // ---- endpoint rules (the checks in the order DocSpace's controllers make them) -------------------------------------------------

  requireEditUser(caller: SimUser): void {
    if (!this.isDocSpaceAdmin(caller)) throw accessDenied();
  }

  /** 7.1 POST people/remove/start */
  startRemove(caller: SimUser, userId: string): SimTask {
    this.requireEditUser(caller);
    const target = this.liveUser(userId);
    if (!target) throw new SimFailure(400, `User with id = ${userId} not found`);
    if (target.type === "Owner" || target.id === caller.id || !this.isTerminated(target)) {
      throw new SimFailure(400, `Can not delete user with id = ${userId}`);
    }
    if (target.type === "DocSpaceAdmin" && caller.type !== "Owner") throw accessDenied();
    return this.startTask("remove", caller, target.id, undefined, true);
  }

  /**
   * A task started outside this tool, as DocSpace's own UI (or another admin's script) would start
   * it: the same queue, the same dedupe. The account is disabled first, as the UI does.
   */
  startFromUi(kind: TaskKind, userId: string, opts: { toUserId?: string; deleteProfile?: boolean; by?: string } = {}): SimTask {
    const caller = this.liveUser(opts.by ?? [...this.users.values()].find((u) => u.type === "Owner")!.id)!;
    const target = this.liveUser(userId);
    if (!target) throw new Error(`startFromUi: no live user ${userId}`);
    if (!this.isTerminated(target)) {
      target.status = 2;
      target.terminatedAt ??= new Date();
    }
    return kind === "remove" ? this.startRemove(caller, target.id) : this.startReassign(caller, target.id, opts.toUserId!, opts.deleteProfile ?? false);
  }

  /** 7.2 / 7.5 progress */
  progress(caller: SimUser, kind: TaskKind, userId: string): SimTask | undefined {
    this.requireEditUser(caller);
    if (kind === "reassign") {
      const target = this.liveUser(userId);
      if (target && target.type === "DocSpaceAdmin" && caller.type !== "Owner") throw accessDenied();
    }
    return this.visibleTask(kind, userId);
  }

  /** 7.3 PUT people/remove/terminate: hides the task; the deletion goes on. */
  terminateRemove(caller: SimUser, userId: string): void {
    this.requireEditUser(caller);
    const t = this.tasks.get(`remove:${userId.toLowerCase()}`);
    if (t && t.status === 1) t.hidden = true;
    else if (t) this.tasks.delete(`remove:${userId.toLowerCase()}`);
  }

  /** 7.4 POST people/reassign/start */
  startReassign(caller: SimUser, fromUserId: string, toUserId: string, deleteProfile: boolean): SimTask {
    this.requireEditUser(caller);
    const to = this.liveUser(toUserId);
    if (!to || to.id === LOST_USER_ID || !(to.type === "RoomAdmin" || this.isDocSpaceAdmin(to)) || this.isTerminated(to)) {
      throw new SimFailure(400, `Can not reassign data to user with id = ${to ? to.id : LOST_USER_ID}`);
    }
    const from = this.liveUser(fromUserId);
    const refuseFrom = (): SimFailure => new SimFailure(400, `Can not reassign data from user with id = ${from ? from.id : LOST_USER_ID}`);
    if (!from || from.type === "Owner" || from.id === caller.id || !this.isTerminated(from)) throw refuseFrom();
    if (from.type === "DocSpaceAdmin" && caller.type !== "Owner") throw refuseFrom();
    return this.startTask("reassign", caller, from.id, to.id, deleteProfile);
  }

  /** 7.6 PUT people/reassign/terminate: really cancels. */
  terminateReassign(caller: SimUser, userId: string): SimTask | undefined {
    this.progress(caller, "reassign", userId);
    const t = this.tasks.get(`reassign:${userId.toLowerCase()}`);
    if (!t) return undefined;
    if (t.status === 1) {
      t.status = 3;
      t.modifiedAt = Date.now();
    }
    return t;
  }

  /** 7.7 GET people/reassign/necessary */
  reassignNecessary(caller: SimUser, userId: string, type: string): boolean {
    const adminTarget = type === "DocSpaceAdmin" || type === "3";
    if (!this.isDocSpaceAdmin(caller) && !(caller.type === "RoomAdmin" && ["User", "Guest", "4", "2"].includes(type))) throw accessDenied();
    if (adminTarget && caller.type !== "Owner") throw accessDenied();
    const u = this.liveUser(userId);
    if (!u) return false;
    return u.ownsRooms || this.roomsOwnedBy(u.id).length > 0;
  }

  /** 7.8 PUT people/self/delete */
  sendSelfDelete(caller: SimUser): string {
    if (caller.type === "Owner" || caller.ldap) throw accessDenied();
    this.selfDeleteEmails.push({ userId: caller.id, email: caller.email, at: Date.now() });
    return `Instructions to disable your profile has been sent to <b>${caller.email}</b> email address`;
  }

  /** 7.9 PUT people/status/{status}: all or nothing. */
  setStatus(caller: SimUser, status: number, userIds: string[]): SimUser[] {
    this.requireEditUser(caller);
    const targets = userIds.map((id) => {
      const u = this.liveUser(id);
      if (!u || u.id === LOST_USER_ID || u.ldap || u.type === "Owner" || u.id === caller.id) throw accessDenied();
      if (u.type === "DocSpaceAdmin" && caller.type !== "Owner") throw accessDenied();
      return u;
    });
    for (const u of targets) {
      u.status = status;
      u.terminatedAt = status === 2 ? u.terminatedAt ?? new Date() : undefined;
    }
    this.statusChanges.push({ userIds: targets.map((u) => u.id), status, callerId: caller.id, at: Date.now() });
    return targets;
  }

  /** 7.10 DELETE people/{userid} */
  deleteProfile(caller: SimUser, idOrName: string): SimUser {
    if (!this.isDocSpaceAdmin(caller)) throw accessDenied();
    const u = this.liveUser(idOrName) ?? [...this.users.values()].find((x) => !x.removed && x.userName === idOrName);
    if (!u) throw new SimFailure(404, "The user could not be found", "envelope", "System.Collections.Generic.KeyNotFoundException");
    if (u.ldap) throw accessDenied();
    if (!this.isTerminated(u)) throw new SimFailure(403, "The user is not suspended", "envelope", "System.InvalidOperationException");
    if (u.type === "DocSpaceAdmin" && caller.type !== "Owner") throw accessDenied();
    const reassign = this.tasks.get(`reassign:${u.id}`);
    if (reassign && reassign.status < 2) throw new SimFailure(500, `Data reassign process for ${u.firstName} ${u.lastName} is not complete.`, "envelope", "System.Exception");
    const before = { ...u };
    // The profile goes at once; the background purge (not modelled as a task here) hands rooms to the caller.
    this.handRoomsOver(u.id, caller.id);
    this.dropProfile(u.id);
    return before;
  }

  /**
   * 7.15 filter: lower-cased substring match, terms ANDed (ORed with a separator), plus the
   * report filters (7.16). Insertion order, so pages are stable.
   */
  filter(caller: SimUser, q: FilterQuery): SimUser[] {
    if (!(this.isDocSpaceAdmin(caller) || caller.type === "RoomAdmin")) throw accessDenied();
    const value = (q.filterValue ?? "").toLowerCase().trim();
    const terms = value === "" ? [] : q.filterSeparator ? value.split(q.filterSeparator).filter(Boolean) : value.split(/\s+/);
    const matches = (u: SimUser, term: string): boolean => [u.firstName, u.lastName, u.email].some((f) => f.toLowerCase().includes(term));
    const inviter = q.inviterId?.toLowerCase();
    return [...this.users.values()].filter((u) => {
      if (u.removed) return false;
      if (q.employeeStatus !== undefined && q.employeeStatus !== 7 && (u.status & q.employeeStatus) === 0) return false;
      if (q.activationStatus !== undefined && u.activationStatus !== q.activationStatus) return false;
      if (inviter !== undefined && u.invitedById !== inviter) return false;
      if (q.area === 1 && u.type === "Guest") return false;
      if (q.area === 2 && u.type !== "Guest") return false;
      if (q.accountLoginType === 0 && !u.sso) return false;
      if (q.accountLoginType === 1 && !u.ldap) return false;
      if (q.accountLoginType === 2 && (u.sso || u.ldap)) return false;
      if (q.employeeTypes && q.employeeTypes.length > 0 && !q.employeeTypes.includes(EMPLOYEE_TYPE_NUMBER[u.type])) return false;
      if (terms.length === 0) return true;
      return q.filterSeparator ? terms.some((t) => matches(u, t)) : terms.every((t) => matches(u, t));
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

  /** An API key acts as its creator; a disabled creator gets 401. */
  authenticate(key: string): SimUser | undefined {
    const k = this.keys.get(key);
    if (!k || k.revoked) return undefined;
    const u = this.liveUser(k.userId);
    if (!u || (u.status & 1) === 0) return undefined;
    return u;
  }

  revokeKey(key: string): void {
    const k = this.keys.get(key);
    if (k) k.revoked = true;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
