export * from "./docspace/errors";
export { DocSpaceClient, checkGuid } from "./docspace/client";
export type { UserPage, FilterQuery } from "./docspace/client";
export { TaskStatus, EmployeeStatus, employeeType } from "./docspace/schemas";
export type { Employee, TaskProgress, EmployeeType } from "./docspace/schemas";
export type { SettingsInput } from "./docspace/settings";
export { UserRemoval, DataTransfer, userRemovalProvider } from "./resources/user-removal/resource";
export type { UserRemovalArgs, DataTransferArgs } from "./resources/user-removal/resource";
export { AccountSuspension, accountSuspensionProvider } from "./resources/account-suspension/resource";
export type { AccountSuspensionArgs } from "./resources/account-suspension/resource";
export { SelfDeleteRequest, selfDeleteRequestProvider } from "./resources/self-delete/resource";
export type { SelfDeleteRequestArgs } from "./resources/self-delete/resource";
export { parseOffboardingFile, parseOffboardingBytes, loadOffboardingFile, OffboardingFileError } from "./offboarding/parse";
export type { OffboardingFile, Removal, FileIssue } from "./offboarding/parse";
export { offboardingJsonSchema } from "./offboarding/json-schema";
export { defineOffboarding, logicalName } from "./program/offboarding-program";
import { defineOffboarding } from "./program/offboarding-program";
/**
 * @deprecated The same checked program as `defineOffboarding()` (which is now the checked one);
 * kept so that projects copied from an earlier examples/offboarding keep working. Use `defineOffboarding()`.
 */
export const defineCheckedOffboarding = defineOffboarding;
export type { OffboardingProgramOptions, OffboardingOutputs, AccountOutcome } from "./program/offboarding-program";
