/**
 * SelfDeleteRequest: asks DocSpace to email deletion instructions to the key's own account.
 * As with UserRemoval, each resource stores the tiny provider of ../host/stored-provider.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { storedProvider } from "../host/stored-provider";
import { inProcessProvider } from "../host/in-process-provider";

/** For calls in this process; what each resource stores is the provider below. */
export const selfDeleteRequestProvider: pulumi.dynamic.ResourceProvider = inProcessProvider("SelfDeleteRequest");

/** What each resource stores in its state (`__provider`): see ../host/stored-provider.ts. */
const stored = storedProvider("SelfDeleteRequest");

export interface SelfDeleteRequestArgs {
  /** Any text; changing it sends the instructions again. */
  trigger?: pulumi.Input<string>;
}

export class SelfDeleteRequest extends pulumi.dynamic.Resource {
  declare public readonly userId: pulumi.Output<string>;
  declare public readonly email: pulumi.Output<string>;
  declare public readonly sentAt: pulumi.Output<string>;
  declare public readonly message: pulumi.Output<string>;
  declare public readonly status: pulumi.Output<"Sent" | "Unconfirmed">;

  constructor(name: string, args: SelfDeleteRequestArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(stored, name, { ...args, userId: undefined, email: undefined, sentAt: undefined, message: undefined, status: undefined }, opts, "docspace", "SelfDeleteRequest");
  }
}
