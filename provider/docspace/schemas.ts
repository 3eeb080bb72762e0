/**
 * The DocSpace wire format, validated with zod (its envelope, enums, task progress and EmployeeFullDto, as DocSpace's server writes them).
 * Output JSON is camelCase with nulls omitted; enums are integers except EmployeeType.
 * Types are inferred from these schemas, never written twice.
 */
import { z } from "zod";

export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const guidSchema = z.string().regex(GUID_PATTERN, "must be a GUID such as 9924256a-739c-462b-af15-e652a3b1b6eb");

/** EmployeeStatus: Active=1, Terminated=2, Pending=4 (flags). */
export const EmployeeStatus = { Active: 1, Terminated: 2, Pending: 4 } as const;

/** DistributedTaskStatus: Created=0, Running=1, Completed=2, Canceled=3, Failted=4. */
export const TaskStatus = { Created: 0, Running: 1, Completed: 2, Canceled: 3, Failed: 4 } as const;

export const employeeSchema = z.looseObject({
  id: guidSchema,
  displayName: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  userName: z.string().optional(),
  email: z.string().optional(),
  status: z.number().int(),
  activationStatus: z.number().int().optional(),
  isAdmin: z.boolean().optional(),
  isOwner: z.boolean().optional(),
  isRoomAdmin: z.boolean().optional(),
  isVisitor: z.boolean().optional(),
  isCollaborator: z.boolean().optional(),
  isLDAP: z.boolean().optional(),
  /** Product modules the person administers ("people": DocSpace then lets only the owner reassign their data). */
  listAdminModules: z.array(z.string()).optional(),
  terminated: z.string().optional(),
  /** ApiDateTime of the profile's creation (an invitation creates it); sent to every viewer. */
  registrationDate: z.string().optional(),
});
export type Employee = z.infer<typeof employeeSchema>;

export const employeeListSchema = z.array(employeeSchema);

export const taskProgressSchema = z.looseObject({
  id: z.string(),
  error: z.string().optional().default(""),
  percentage: z.number().min(0).max(100),
  isCompleted: z.boolean(),
  status: z.number().int().min(0).max(4),
});
export type TaskProgress = z.infer<typeof taskProgressSchema>;

/** The success envelope. `response` is absent when the action returned null or void. */
export const successEnvelopeSchema = z.looseObject({
  response: z.unknown().optional(),
  count: z.number().optional(),
  total: z.number().optional(),
  status: z.number().optional(),
  statusCode: z.number().optional(),
});

/** The error envelope (`error` object); nulls are kept here. */
export const errorEnvelopeSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().nullish(),
    type: z.string().nullish(),
  }),
  status: z.number().optional(),
  statusCode: z.number().optional(),
});

/** ASP.NET model-validation failure, which arrives inside the *success* wrapper with HTTP 400. */
export const validationProblemSchema = z.looseObject({
  title: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});

/** Disabled ("Terminated", status 2): required before remove/start and reassign/start. */
export function isDisabled(e: Pick<Employee, "status">): boolean {
  return (e.status & EmployeeStatus.Terminated) !== 0;
}

/** Active and not disabled (Pending invitations are not active). */
export function isActive(e: Pick<Employee, "status">): boolean {
  return (e.status & EmployeeStatus.Active) !== 0 && !isDisabled(e);
}

/** The role a DocSpace account has; derived from the DTO's flags (there is no `type` field). */
export type EmployeeType = "DocSpaceAdmin" | "RoomAdmin" | "User" | "Guest";

export function employeeType(e: Employee): EmployeeType {
  if (e.isOwner || e.isAdmin) return "DocSpaceAdmin";
  if (e.isRoomAdmin) return "RoomAdmin";
  if (e.isVisitor) return "Guest";
  return "User";
}


/** An email address as DocSpace accounts use it: trimmed and lower-cased. */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "must be an email address such as jane.doe@example.com" }));

/** Someone named by email or by GUID (as `transferTo` allows). */
export function accountRefKind(value: string): "email" | "id" | undefined {
  if (GUID_PATTERN.test(value.trim())) return "id";
  if (emailSchema.safeParse(value).success) return "email";
  return undefined;
}
