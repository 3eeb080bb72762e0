/**
 * The AccountSuspension resource: one disabled account, the reversible step of offboarding. Each
 * resource stores the tiny provider of ./stored-provider.ts; the exported shims are for calls in
 * this process, and are the form earlier versions stored.
 */
import * as pulumi from "@pulumi/pulumi";
import { storedProvider } from "../host/stored-provider";
import { inProcessProvider } from "../host/in-process-provider";
import { registeredProps } from "../user-removal/resource";
import type { FileCheck } from "../step/pulumi-props";

/** For calls in this process; what each resource stores is the provider below. */
export const accountSuspensionProvider: pulumi.dynamic.ResourceProvider = inProcessProvider("AccountSuspension");

/** What each resource stores in its state (`__provider`): see ../host/stored-provider.ts. */
const stored = storedProvider("AccountSuspension");

export interface AccountSuspensionArgs {
  /** The account's email (give this or `userId`). */
  email?: pulumi.Input<string>;
  /** The account's id, a GUID (give this or `email`). */
  userId?: pulumi.Input<string>;
  /** Must be true to disable a DocSpace admin (which also needs the portal owner's key). */
  allowAdmin?: pulumi.Input<boolean>;
  /** Free text kept in the state for audit. */
  reason?: pulumi.Input<string>;
  /** A removal has taken the account over: the suspension then only records it. */
  handedOver?: pulumi.Input<boolean>;
  /**
   * @internal Set by defineOffboarding, never by hand: its look at the whole file found this
   * account (and successor) a moment ago and would start this step, so the check reads nothing
   * again. The create still reads everything fresh. Its value is not stored.
   */
  fileCheck?: FileCheck;
}

/** Disables one DocSpace account. Deleting it never re-enables the account: that is done by a person, in DocSpace. */
export class AccountSuspension extends pulumi.dynamic.Resource {
  declare public readonly userId: pulumi.Output<string>;
  declare public readonly email: pulumi.Output<string>;
  declare public readonly displayName: pulumi.Output<string>;
  declare public readonly status: pulumi.Output<"Disabled" | "Active" | "Gone">;
  declare public readonly disabledByStack: pulumi.Output<boolean>;
  declare public readonly disabledAt: pulumi.Output<string | undefined>;
  declare public readonly disabledSince: pulumi.Output<string | undefined>;
  declare public readonly handedOver: pulumi.Output<boolean>;

  /** `outputs`: which of the record's fields this object exposes as Outputs (default: all); see UserRemoval. */
  constructor(name: string, args: AccountSuspensionArgs, opts?: pulumi.CustomResourceOptions, outputs: readonly AccountSuspensionOutput[] = ACCOUNT_SUSPENSION_OUTPUTS) {
    super(stored, name, registeredProps(args, outputs), opts, "docspace", "AccountSuspension");
  }
}

/** The fields of an AccountSuspension's record that its object exposes as Outputs (its declared properties). */
export const ACCOUNT_SUSPENSION_OUTPUTS = ["userId", "email", "displayName", "status", "disabledByStack", "disabledAt", "disabledSince", "handedOver"] as const;
export type AccountSuspensionOutput = (typeof ACCOUNT_SUSPENSION_OUTPUTS)[number];
