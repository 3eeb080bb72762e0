/**
 * SelfDeleteRequest: asks DocSpace to email deletion instructions to the key's own account.
 * As with UserRemoval, each resource stores the tiny provider of ./stored-provider.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { storedProvider } from "../host/stored-provider";
import type * as Impl from "./methods";

type Props = Record<string, unknown>;

const impl = (): typeof Impl => ((require: NodeRequire) => require("pulumi-docspace/dist/provider/resources/self-delete-impl.js"))(require("module").createRequire(require("path").join(process.cwd(), "package.json")));

export const selfDeleteRequestProvider: pulumi.dynamic.ResourceProvider = {
  configure: (req) => impl().configure(req),
  check: (olds: Props, news: Props) => impl().check(olds, news),
  diff: (id: string, olds: Props, news: Props) => impl().diff(id, olds, news),
  create: (inputs: Props) => impl().create(inputs),
  read: (id: string, props: Props) => impl().read(id, props),
  update: (id: string, olds: Props, news: Props) => impl().update(id, olds, news),
  delete: () => impl().remove(),
};

/** What each resource stores in its state (`__provider`): see ./stored-provider.ts. The object above is for calls in this process. */
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
