/** Entry point of the root Pulumi project (Pulumi.yaml): its exports are the stack outputs. */
import { defineOffboarding } from "./offboarding-program";

const { offboardingFile, accounts, totals } = defineOffboarding();
export { offboardingFile, accounts, totals };
