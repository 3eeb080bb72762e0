/**
 * The UserRemoval and DataTransfer resources. Each resource stores the tiny provider
 * of ../host/stored-provider.ts; the exported provider object is for calls in this process.
 */
import * as pulumi from "@pulumi/pulumi";
import { storedProvider } from "../host/stored-provider";
import { inProcessProvider } from "../host/in-process-provider";
import { registeredProps, type PulumiArgs, type PulumiOutputs } from "../step/pulumi-props";
import type { UserRemovalInputs, UserRemovalState } from "./record";

/** For calls in this process; what each resource stores is the provider below. */
export const userRemovalProvider: pulumi.dynamic.ResourceProvider = inProcessProvider("UserRemoval");

/** What each resource stores in its state (`__provider`): see ../host/stored-provider.ts. */
const stored = storedProvider("UserRemoval");

/** UserRemoval's arguments: its inputs' schema (./record.ts), and the entry's own transfer. */
export type UserRemovalArgs = PulumiArgs<UserRemovalInputs> & {
  /**
   * The entry's own DataTransfer, which runs before this removal (the program passes it; so may a
   * hand-written program): while it is unfinished, a transfer running for the person may be that
   * one, and the removal waits behind it instead of being refused. Passed to the provider as the
   * `ownTransfer` input, the transfer's status; never stored.
   */
  afterTransfer?: DataTransfer;
};

/** The record's fields a UserRemoval object exposes as Outputs (typed from ./record.ts). */
export interface UserRemoval extends PulumiOutputs<UserRemovalState, UserRemovalOutput> {}

/** Removes one DocSpace account and its data. Irreversible once created. */
export class UserRemoval extends pulumi.dynamic.Resource {
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
