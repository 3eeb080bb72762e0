/**
 * Entry point of the root Pulumi project (Pulumi.yaml): looks at the whole offboarding file
 * through the gate, then declares the removals. Its exports are the stack outputs.
 */
import { defineCheckedOffboarding } from "./offboarding-program";

export = defineCheckedOffboarding().then(({ offboardingFile, accounts, totals, impact }) => ({ offboardingFile, accounts, totals, ...(impact ? { impact } : {}) }));
