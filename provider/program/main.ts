/**
 * Entry point of the root Pulumi project (Pulumi.yaml): the same program a user's project runs.
 * Its result (a Promise of the outputs) is the stack outputs.
 */
import { defineOffboarding } from "./offboarding-program";

export = defineOffboarding();
