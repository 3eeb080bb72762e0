/**
 * A resource kind's provider for calls in this process (tests, harnesses, a program that calls a
 * provider itself). Like the stored provider, it loads the package by name from the project's
 * folder at call time, so it acts with the same module instances Pulumi's host would.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as Dispatch from "./dispatch";
import type { ProviderKind } from "./dispatch";
import type { ProviderMethods } from "./context";

type Props = Record<string, unknown>;

export function inProcessProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  const m = (): ProviderMethods => (require("module").createRequire(require("path").join(process.cwd(), "package.json"))("pulumi-docspace/dispatch") as typeof Dispatch).methodsOf(kind);
  return {
    configure: (req) => m().configure(req),
    check: (olds: Props, news: Props) => m().check(olds, news),
    diff: (id: string, olds: Props, news: Props) => m().diff(id, olds, news),
    create: (inputs: Props) => m().create(inputs),
    read: (id: string, props: Props) => m().read(id, props),
    update: (id: string, olds: Props, news: Props) => m().update(id, olds, news),
    delete: (id: string, props: Props) => m().delete(id, props),
  };
}
