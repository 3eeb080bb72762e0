/**
 * The provider each resource stores in its state (`__provider`, kept in both its inputs and its
 * outputs): as small as Pulumi's closure serializer allows, about 550 bytes. One tiny function,
 * which loads one stable subpath of this package (`pulumi-docspace/dispatch`) by name inside the
 * provider host (resolved from the program's node_modules, or the package itself in this
 * repository) and hands over there (./dispatch.ts).
 *
 * Pulumi's host configures a provider before any other call, so `configure` is where the kind's
 * methods are put in place. `check` is there too, so that a host which did not configure first
 * would refuse rather than skip the check; every other method is absent until then, and a host
 * calling `create` without it fails before anything is sent.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderKind } from "./dispatch";
import type * as Dispatch from "./dispatch";

export function storedProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  const p: Record<string, unknown> = {};
  const k = kind; // short names (k, r): the function's text is stored twice in every record
  // Loaded in the host at call time (never captured). createRequire from the program's folder:
  // the package as installed there, or in this repository the package itself.
  const first = (r: unknown): Promise<void> => (require("module").createRequire(process.cwd() + "/")("pulumi-docspace/dispatch") as typeof Dispatch).install(p, k, r);
  p.configure = first;
  p.check = first;
  return p as unknown as pulumi.dynamic.ResourceProvider;
}
