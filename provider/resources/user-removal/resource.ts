/**
 * The UserRemoval and DataTransfer resources. Each resource stores the tiny provider
 * of ../host/stored-provider.ts; the exported provider object is for calls in this process.
 */
import * as pulumi from "@pulumi/pulumi";
import { storedProvider } from "../host/stored-provider";
import { inProcessProvider } from "../host/in-process-provider";
import { registeredProps, type FileCheck, type PulumiArgs } from "../step/pulumi-props";
import type { UserRemovalInputs, UserRemovalState } from "./record";

/** For calls in this process; what each resource stores is the provider below. */
export const userRemovalProvider: pulumi.dynamic.ResourceProvider = inProcessProvider("UserRemoval");

/** What each resource stores in its state (`__provider`): see ../host/stored-provider.ts. */
const stored = storedProvider("UserRemoval");

/** UserRemoval's arguments: its inputs' schema (./record.ts), plus two the program passes. */
export type UserRemovalArgs = PulumiArgs<UserRemovalInputs> & {
  /**
   * @internal Set by defineOffboarding, never by hand: its look at the whole file found this
   * account (and successor) a moment ago and would start this step, so the check reads nothing
   * again. The create still reads everything fresh. Its value is not stored.
   */
  fileCheck?: FileCheck;
  /**
   * The entry's own DataTransfer, which runs before this removal (the program passes it; so may a
   * hand-written program): while it is unfinished, a transfer running for the person may be that
   * one, and the removal waits behind it instead of being refused. Passed to the provider as the
   * `ownTransfer` input, the transfer's status; never stored.
   */
  afterTransfer?: DataTransfer;
};

/** Removes one DocSpace account and its data. Irreversible once created. */
export class UserRemoval extends pulumi.dynamic.Resource {
  declare public readonly userId: pulumi.Output<UserRemovalState["userId"]>;
  declare public readonly email: pulumi.Output<UserRemovalState["email"]>;
  declare public readonly displayName: pulumi.Output<UserRemovalState["displayName"]>;
  declare public readonly accountType: pulumi.Output<UserRemovalState["accountType"]>;
  declare public readonly mode: pulumi.Output<UserRemovalState["mode"]>;
  declare public readonly transferToId: pulumi.Output<UserRemovalState["transferToId"]>;
  declare public readonly taskId: pulumi.Output<UserRemovalState["taskId"]>;
  /** Unconfirmed: the start's answer was lost; the next `pulumi up` settles it from DocSpace's progress. */
  declare public readonly status: pulumi.Output<UserRemovalState["status"]>;
  declare public readonly percentage: pulumi.Output<UserRemovalState["percentage"]>;
  declare public readonly error: pulumi.Output<UserRemovalState["error"]>;
  declare public readonly startedAt: pulumi.Output<UserRemovalState["startedAt"]>;
  declare public readonly completedAt: pulumi.Output<UserRemovalState["completedAt"]>;
  declare public readonly reason: pulumi.Output<UserRemovalState["reason"]>;
  /** For Completed: DocSpace's own answer that the profile no longer exists. */
  declare public readonly evidence: pulumi.Output<UserRemovalState["evidence"]>;

  /**
   * `outputs`: which of the record's fields this object exposes as Outputs (default: all of them).
   * defineOffboarding asks only for those its stack outputs read, and for none on an entry whose
   * account DocSpace no longer has: Pulumi's SDK builds, for every property of every resource,
   * an Output of four promises that each keep a captured stack trace until the engine answers,
   * so each property a program does not read costs memory per resource for nothing. The inputs,
   * what is stored and what the provider does are the same either way.
   */
  constructor(name: string, { afterTransfer, ...args }: UserRemovalArgs, opts?: pulumi.CustomResourceOptions, type = "UserRemoval", outputs: readonly UserRemovalOutput[] = USER_REMOVAL_OUTPUTS) {
    super(stored, name, registeredProps({ ...args, ownTransfer: afterTransfer ? { status: afterTransfer.status } : undefined }, outputs), opts, "docspace", type);
  }
}

/** The fields of a UserRemoval's record that its object exposes as Outputs (its declared properties). */
export const USER_REMOVAL_OUTPUTS = [
  "userId",
  "email",
  "displayName",
  "accountType",
  "mode",
  "transferToId",
  "taskId",
  "status",
  "percentage",
  "error",
  "startedAt",
  "completedAt",
  "reason",
  "evidence",
] as const;
export type UserRemovalOutput = (typeof USER_REMOVAL_OUTPUTS)[number];

export type DataTransferArgs = Omit<UserRemovalArgs, "alreadyRemoved" | "removeAfter" | "transferTo" | "keepProfile" | "afterTransfer"> & {
  /** Email or id of the active room admin or DocSpace admin who receives the data. */
  transferTo: pulumi.Input<string>;
};

/**
 * Moves one account's rooms, shared files and folders to a successor and keeps the profile,
 * disabled (reassign/start with deleteProfile false). The same provider as UserRemoval, asked to
 * keep the profile: one gate, one way of following a task.
 */
export class DataTransfer extends UserRemoval {
  /** `outputs`: as for UserRemoval. */
  constructor(name: string, args: DataTransferArgs, opts?: pulumi.CustomResourceOptions, outputs: readonly UserRemovalOutput[] = USER_REMOVAL_OUTPUTS) {
    super(name, { ...args, keepProfile: true }, opts, "DataTransfer", outputs);
  }
}
