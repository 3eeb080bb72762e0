/**
 * The provider each resource stores in its state (`__provider`, kept in both its inputs and its
 * outputs): as small as Pulumi's closure serializer allows, about 700 bytes. Seven methods that
 * are one function, which loads one stable subpath of this package by name inside the provider
 * host (resolved from the program's node_modules, or the package itself in this repository) and
 * hands over there (./dispatch.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderKind } from "./dispatch";
import type * as Dispatch from "./dispatch";

const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

export function storedProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  const p: Record<string, unknown> = {};
  // Loaded in the host at call time (never captured). The first call is the host's configure.
  // createRequire from the program's folder: the package as installed there, or in this repository the package itself.
  const first = (req: unknown): Promise<void> => (require("module").createRequire(process.cwd() + "/")("pulumi-docspace/dist/provider/resources/dispatch.js") as typeof Dispatch).install(p, kind, req);
  for (const m of METHODS) p[m] = first;
  return p as unknown as pulumi.dynamic.ResourceProvider;
}
