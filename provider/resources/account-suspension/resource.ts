/**
 * The AccountSuspension resource: one disabled account, the reversible step of offboarding. Each resource stores the tiny provider
 * of ../host/stored-provider.ts; the exported provider object is for calls in this process.
 */
import * as pulumi from "@pulumi/pulumi";
import { storedProvider } from "../host/stored-provider";
import { inProcessProvider } from "../host/in-process-provider";
import { registeredProps, type PulumiArgs, type PulumiOutputs } from "../step/pulumi-props";
import type { SuspensionInputs, SuspensionState } from "./record";

/** For calls in this process; what each resource stores is the provider below. */
export const accountSuspensionProvider: pulumi.dynamic.ResourceProvider = inProcessProvider("AccountSuspension");

/** What each resource stores in its state (`__provider`): see ../host/stored-provider.ts. */
const stored = storedProvider("AccountSuspension");

/** AccountSuspension's arguments: its inputs' schema (./record.ts). */
export type AccountSuspensionArgs = PulumiArgs<SuspensionInputs>;

/** The record's fields an AccountSuspension object exposes as Outputs (typed from ./record.ts). */
export interface AccountSuspension extends PulumiOutputs<SuspensionState, AccountSuspensionOutput> {}

/** Disables one DocSpace account. Deleting it never re-enables the account: that is done by a person, in DocSpace. */
export class AccountSuspension extends pulumi.dynamic.Resource {
  /** `outputs`: which of the record's fields this object exposes as Outputs (default: all); see UserRemoval. */
  constructor(name: string, args: AccountSuspensionArgs, opts?: pulumi.CustomResourceOptions, outputs: readonly AccountSuspensionOutput[] = ACCOUNT_SUSPENSION_OUTPUTS) {
    super(stored, name, registeredProps(args, outputs), opts, "docspace", "AccountSuspension");
  }
}

/** The fields of an AccountSuspension's record that its object exposes as Outputs (its declared properties). */
export const ACCOUNT_SUSPENSION_OUTPUTS = ["userId", "email", "displayName", "status", "disabledByStack", "disabledAt", "disabledSince", "handedOver"] as const;
export type AccountSuspensionOutput = (typeof ACCOUNT_SUSPENSION_OUTPUTS)[number];
