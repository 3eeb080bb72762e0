export * from "./docspace/errors";
export { DocSpaceClient, checkGuid } from "./docspace/client";
export type { UserPage, FilterQuery } from "./docspace/client";
export { TaskStatus, EmployeeStatus, employeeType } from "./docspace/schemas";
export type { Employee, TaskProgress, EmployeeType } from "./docspace/schemas";
export type { SettingsInput } from "./docspace/settings";
