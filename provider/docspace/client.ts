/**
 * A small typed client for the DocSpace People endpoints that offboarding uses
 * (DocSpace's People routes under api/2.0). Every response is validated; ids are checked before they enter a path.
 */
import { z } from "zod";
import { DocSpaceError, isDocSpaceError } from "./errors";
import {
  employeeListSchema,
  employeeSchema,
  guidSchema,
  taskProgressSchema,
  type Employee,
  type EmployeeType,
  type TaskProgress,
} from "./schemas";
import { resolveSettings, type SettingsInput } from "./settings";
import { TaskSlots } from "./task-slots";
import { Transport, type ApiCall } from "./transport";

export interface UserPage {
  users: Employee[];
  total: number;
}

export interface FilterQuery {
  filterValue?: string;
  /** With a separator, DocSpace ORs the terms of filterValue (space-separated terms are ANDed). */
  filterSeparator?: string;
  employeeStatus?: number;
  /** EmployeeActivationStatus: 2 is Pending (an invitation not accepted yet). */
  activationStatus?: number;
  startIndex?: number;
  /** 1..100 (DocSpace's own bound). */
  count?: number;
}

const booleanSchema = z.boolean();
/** ApiKeyResponseDto, as far as it is used: the scopes (an empty list means no restriction). */
const apiKeySchema = z.looseObject({ permissions: z.array(z.string()).nullish() });
const stringSchema = z.string();

export class DocSpaceClient {
  private readonly transport: Transport;
  /** The tasks this process has in flight at the portal, per DocSpace queue (task-slots.ts). */
  readonly taskSlots: TaskSlots;

  constructor(settings: SettingsInput) {
    const resolved = resolveSettings(settings);
    this.transport = new Transport(resolved);
    this.taskSlots = new TaskSlots(resolved.tasksPerQueue);
  }

  get origin(): string {
    return this.transport.origin;
  }

  /** Portal and key, as a fingerprint safe to use as a cache key (the key itself is not in it). */
  get identity(): string {
    return this.transport.identity;
  }

  // ---- users -------------------------------------------------------------------------------

  /** GET people/email?email=. Throws not-found when no (non-removed) user has that email. */
  async userByEmail(email: string): Promise<Employee> {
    if (email.trim() === "") throw new DocSpaceError("configuration", "An email address is required to look a user up.");
    return this.expect(employeeSchema, { method: "GET", path: "people/email", query: { email }, retry: "idempotent", what: `look up the user ${email}` });
  }

  /** GET people/{id}. */
  async userById(userId: string): Promise<Employee> {
    const id = checkGuid(userId, "user id");
    return this.expect(employeeSchema, { method: "GET", path: `people/${id}`, retry: "idempotent", what: `look up the user ${id}` });
  }

  /** GET people/@self: the account the API key belongs to. */
  async self(): Promise<Employee> {
    return this.expect(employeeSchema, { method: "GET", path: "people/@self", retry: "idempotent", what: "read the API key's own account" });
  }

  /** GET keys/@self: the key this request is made with, and its scopes. */
  async currentKey(): Promise<{ permissions: string[] }> {
    const key = await this.expect(apiKeySchema, { method: "GET", path: "keys/@self", retry: "idempotent", what: "read the API key's own permissions" });
    return { permissions: key.permissions ?? [] };
  }

  /** Looks a user up, returning undefined instead of throwing when there is none. */
  async findUser(by: { email?: string; userId?: string }): Promise<Employee | undefined> {
    try {
      return by.userId !== undefined ? await this.userById(by.userId) : await this.userByEmail(by.email ?? "");
    } catch (e) {
      if (isDocSpaceError(e, "not-found")) return undefined;
      throw e;
    }
  }

  /** GET people/filter: one page. */
  async filterUsers(query: FilterQuery = {}): Promise<UserPage> {
    const count = query.count ?? 100;
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      throw new DocSpaceError("configuration", `A page of users holds 1 to 100 entries (asked for ${count}).`);
    }
    const result = await this.transport.call({
      method: "GET",
      path: "people/filter",
      query: { filterValue: query.filterValue, filterSeparator: query.filterSeparator, employeeStatus: query.employeeStatus, activationStatus: query.activationStatus, startIndex: query.startIndex ?? 0, count },
      retry: "idempotent",
      what: "list users",
    });
    const users = validate(employeeListSchema, result.response ?? [], "list users");
    return { users, total: result.total ?? users.length };
  }

  /** Every user matching the query, page by page. */
  async *allUsers(query: Omit<FilterQuery, "startIndex"> = {}): AsyncGenerator<Employee> {
    const count = query.count ?? 100;
    for (let start = 0; ; start += count) {
      const page = await this.filterUsers({ ...query, count, startIndex: start });
      yield* page.users;
      if (page.users.length < count || start + page.users.length >= page.total) return;
    }
  }

  /** PUT people/status/{status}: enable (1) or disable (2) users. Idempotent. */
  async setStatus(userIds: string[], status: 1 | 2): Promise<Employee[]> {
    const ids = userIds.map((id) => checkGuid(id, "user id"));
    return this.expect(employeeListSchema, {
      method: "PUT",
      path: `people/status/${status}`,
      body: { userIds: ids, resendAll: false },
      retry: "idempotent",
      what: `${status === 2 ? "disable" : "enable"} ${ids.length === 1 ? `the user ${ids[0]}` : `${ids.length} users`}`,
    });
  }

  // ---- remove ------------------------------------------------------------------------------

  /** POST people/remove/start. Not idempotent once finished: retried only on 429. */
  async startRemove(userId: string): Promise<TaskProgress> {
    const id = checkGuid(userId, "user id");
    return this.expect(taskProgressSchema, { method: "POST", path: "people/remove/start", body: { userId: id }, retry: "only-throttled", what: `start removing the user ${id}` });
  }

  /** GET people/remove/progress/{id}; undefined when DocSpace has no task (never started, or expired). */
  async removeProgress(userId: string): Promise<TaskProgress | undefined> {
    const id = checkGuid(userId, "user id");
    return this.maybe(taskProgressSchema, { method: "GET", path: `people/remove/progress/${id}`, retry: "idempotent", what: `read the removal progress of the user ${id}` });
  }

  // ---- reassign ----------------------------------------------------------------------------

  /** POST people/reassign/start. Retried only on 429. */
  async startReassign(fromUserId: string, toUserId: string, deleteProfile: boolean): Promise<TaskProgress> {
    const from = checkGuid(fromUserId, "user id");
    const to = checkGuid(toUserId, "successor id");
    return this.expect(taskProgressSchema, {
      method: "POST",
      path: "people/reassign/start",
      body: { fromUserId: from, toUserId: to, deleteProfile },
      retry: "only-throttled",
      what: `start moving the data of the user ${from} to ${to}`,
    });
  }

  async reassignProgress(fromUserId: string): Promise<TaskProgress | undefined> {
    const id = checkGuid(fromUserId, "user id");
    return this.maybe(taskProgressSchema, { method: "GET", path: `people/reassign/progress/${id}`, retry: "idempotent", what: `read the transfer progress of the user ${id}` });
  }

  /** GET people/reassign/necessary: whether the user owns or is a member of an active room (for guests, also shared entries). Never proof of a transfer. */
  async reassignNecessary(userId: string, type: EmployeeType): Promise<boolean> {
    const id = checkGuid(userId, "user id");
    return this.expect(booleanSchema, { method: "GET", path: "people/reassign/necessary", query: { userId: id, type }, retry: "idempotent", what: `ask whether the user ${id} owns or joins rooms` });
  }

  // ---- self --------------------------------------------------------------------------------

  /** PUT people/self/delete: emails deletion instructions to the key's own account. Retried only on 429. */
  async sendSelfDeleteInstructions(): Promise<string> {
    return this.expect(stringSchema, { method: "PUT", path: "people/self/delete", retry: "only-throttled", what: "send deletion instructions to the API key's own account" });
  }

  // ---- read-only extras --------------------------------------------------------------------

  /**
   * One validated GET, retried like every read; for read-only extras kept outside this class
   * (docspace/impact-reads.ts). It can only read: the method is fixed here. `path` must be built
   * from fixed segments and ids that went through checkGuid.
   */
  async read<S extends z.ZodType>(schema: S, call: { path: string; query?: ApiCall["query"]; what: string; retry?: "idempotent" | "optional" }): Promise<{ response: z.infer<S>; total?: number }> {
    const result = await this.transport.call({ method: "GET", path: call.path, query: call.query, retry: call.retry ?? "idempotent", what: call.what });
    return { response: validate(schema, result.response, call.what), total: result.total };
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async expect<S extends z.ZodType>(schema: S, call: ApiCall): Promise<z.infer<S>> {
    const result = await this.transport.call(call);
    if (result.response === undefined) {
      throw new DocSpaceError("unexpected-response", `DocSpace answered the request to ${call.what} without a response body. Check that docspace:url points at a DocSpace portal.`, {
        operation: `${call.method} api/2.0/${call.path}`,
      });
    }
    return validate(schema, result.response, call.what);
  }

  private async maybe<S extends z.ZodType>(schema: S, call: ApiCall): Promise<z.infer<S> | undefined> {
    const result = await this.transport.call(call);
    return result.response === undefined || result.response === null ? undefined : validate(schema, result.response, call.what);
  }
}

function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new DocSpaceError(
      "unexpected-response",
      `DocSpace's answer to the request to ${what} does not match the DocSpace API${where}: ${issue?.message ?? "invalid"}. Check that docspace:url points at a DocSpace portal of version 2.0 or later.`,
    );
  }
  return parsed.data;
}

/** Ids enter URL paths; anything but a GUID is refused before a request is made. */
export function checkGuid(value: string, label: string): string {
  const parsed = guidSchema.safeParse(value);
  if (!parsed.success) {
    throw new DocSpaceError("configuration", `The ${label} "${String(value).slice(0, 80)}" is not a GUID (expected something like 9924256a-739c-462b-af15-e652a3b1b6eb).`);
  }
  return parsed.data.toLowerCase();
}
