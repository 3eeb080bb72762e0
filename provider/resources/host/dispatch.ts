/**
 * What the provider stored in every resource's state (`__provider`) calls: one function, one
 * stable subpath of this package, `pulumi-docspace/dispatch` (state written by earlier versions
 * names `pulumi-docspace/dist/provider/resources/dispatch.js`, this same file).
 *
 * The stored provider (./stored-provider.ts) is an object with one tiny function as `configure`
 * (and `check`). Pulumi's dynamic-provider host calls `configure` on a provider before anything
 * else, once per host process and provider text (`getProvider` in
 * @pulumi/pulumi/cmd/dynamic-provider); that first call lands here and puts the resource kind's
 * real methods on the object, so every later call goes straight to the implementation. Called any
 * other way first, it refuses: no check is ever skipped.
 *
 * The host's context (context.ts: its settings and what its checks have seen across
 * entries) is created when the host first configures a provider, and every kind's methods are
 * given it here, explicitly.
 *
 * Stable across releases: state written by this version calls `install(provider, kind, req)` with
 * the kinds below, whatever version is installed when it runs.
 */
import type { dynamic } from "@pulumi/pulumi";
import { removalMethods } from "../user-removal/methods";
import { suspensionMethods } from "../account-suspension/methods";
import { selfDeleteMethods } from "../self-delete/methods";
import { hostContext, type HostContext, type ProviderMethods } from "./context";

const KINDS: Record<"UserRemoval" | "AccountSuspension" | "SelfDeleteRequest", (ctx: HostContext) => ProviderMethods> = {
  UserRemoval: removalMethods,
  AccountSuspension: suspensionMethods,
  SelfDeleteRequest: selfDeleteMethods,
};

export type ProviderKind = keyof typeof KINDS;

function isConfigureRequest(req: unknown): req is dynamic.ConfigureRequest {
  const config = (req as { config?: { get?: unknown } } | undefined)?.config;
  return typeof config?.get === "function";
}

/** The kind's methods, as Pulumi's host calls them, acting in `ctx` (this host's, by default). */
export function methodsOf(kind: ProviderKind, ctx: HostContext = hostContext()): ProviderMethods {
  return KINDS[kind](ctx);
}

/** The stored provider's first call: `configure`, from Pulumi's host. Installs the kind's methods on `provider` and configures it. */
export function install(provider: Record<string, unknown>, kind: string, req: unknown): Promise<void> {
  if (!Object.prototype.hasOwnProperty.call(KINDS, kind)) {
    throw new Error(`pulumi-docspace: the state names a provider kind '${kind}' that this version (dispatch.js) does not know. Install the pulumi-docspace version that wrote it, or a newer one.`);
  }
  if (!isConfigureRequest(req)) {
    throw new Error(
      `pulumi-docspace: the ${kind} provider stored in the state was called before configure; nothing was done. ` +
        "Pulumi's dynamic-provider host configures a provider before any other call: this @pulumi/pulumi does not, so it is not supported.",
    );
  }
  const methods = methodsOf(kind as ProviderKind);
  Object.assign(provider, methods);
  return methods.configure(req);
}
