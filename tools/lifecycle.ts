/**
 * A lifecycle harness in place of the Pulumi CLI: runs the real program under Pulumi's runtime
 * mocks (real closure serialization), then drives the real serialized providers in Pulumi's own
 * dynamic-provider host the way the engine does: check with the previous inputs, diff with the
 * previous outputs, create / update / replace / delete, partially-created resources resumed by
 * update, refresh through read.
 */
import * as pulumi from "@pulumi/pulumi";
import { InitFailedError, ProviderHost, urnFor, type CheckFailure, type Props } from "./provider-host";

export interface DeclaredResource {
  urn: string;
  type: string;
  name: string;
  inputs: Props;
}

export interface StateEntry {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Props;
  outputs: Props;
  /** Set when the last create/update failed after the resource came to exist. */
  initErrors?: string[];
}

export type StackState = Map<string, StateEntry>;

export type StepKind = "create" | "update" | "replace" | "delete" | "same" | "refused";

export interface PlannedStep {
  kind: StepKind;
  urn: string;
  name: string;
  type: string;
  inputs?: Props;
  failures?: CheckFailure[];
  replaces?: string[];
}

export interface StepResult extends PlannedStep {
  ok: boolean;
  error?: string;
  outputs?: Props;
}

/** Runs `program` (sync or async) under mocks and returns every resource it declared, with its serialized inputs. */
export async function declareResources(
  program: () => unknown,
  opts: {
    project?: string;
    stack?: string;
    config?: Record<string, string>;
    preview?: boolean;
    timeoutMs?: number;
    /**
     * The stack's records: as the engine does, a resource the stack holds resolves its outputs to
     * its stored ones for the program (so a removal's `ownTransfer` sees its transfer's status).
     */
    stored?: StackState;
  } = {},
): Promise<{ resources: DeclaredResource[]; result: unknown }> {
  const project = opts.project ?? "docspace-offboarding";
  const stack = opts.stack ?? "dev";
  const resources: DeclaredResource[] = [];
  pulumi.runtime.setAllConfig(opts.config ?? {});
  await pulumi.runtime.setMocks(
    {
      newResource: (args: pulumi.runtime.MockResourceArgs) => {
        const inputs = args.inputs as Props;
        const urn = urnFor(args.type, args.name, project, stack);
        resources.push({ urn, type: args.type, name: args.name, inputs });
        const held = opts.stored?.get(urn);
        return held ? { id: held.id, state: { ...inputs, ...held.outputs } } : { id: `${args.name}-id`, state: inputs };
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs as Record<string, unknown>,
    },
    project,
    stack,
    opts.preview ?? false,
  );
  // The root program is async (it looks at the whole file first): wait for it to declare.
  const result = await program();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // Registration is asynchronous and the program's result need not list its resources: wait until
  // Pulumi's runtime has no registration in flight (its own drain, as at the end of a real program;
  // Outputs would not do, as a preview leaves them unknown and never calls their apply).
  // A serialization failure never reaches newResource: bound the wait and say so.
  const drained = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (!drained) throw new Error("this @pulumi/pulumi has no runtime.waitForRPCs: the harness cannot tell when the program's resources have registered");
  await Promise.race([
    drained(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the program's resources did not register within ${timeoutMs} ms (a provider that cannot be serialized?)`)), timeoutMs).unref(),
    ),
  ]);
  return { resources, result };
}

/**
 * What `pulumi preview` would show. Nothing here writes to the portal. As the engine does, it
 * checks one resource at a time and stops at the first check that fails.
 */
export async function preview(host: ProviderHost, declared: DeclaredResource[], state: StackState): Promise<PlannedStep[]> {
  const steps: PlannedStep[] = [];
  for (const r of declared) {
    const step = await planOne(host, r, state.get(r.urn));
    steps.push(step);
    if (step.kind === "refused") return steps;
  }
  const wanted = new Set(declared.map((r) => r.urn));
  for (const entry of state.values()) if (!wanted.has(entry.urn)) steps.push({ kind: "delete", urn: entry.urn, name: entry.name, type: entry.type });
  return steps;
}

async function planOne(host: ProviderHost, r: DeclaredResource, old: StateEntry | undefined): Promise<PlannedStep> {
  const base = { urn: r.urn, name: r.name, type: r.type };
  const checked = await host.check(r.urn, old?.inputs, r.inputs);
  if (checked.failures.length > 0) return { ...base, kind: "refused", failures: checked.failures };
  if (!old) return { ...base, kind: "create", inputs: checked.inputs };
  const d = await host.diff(r.urn, old.id, old.outputs, checked.inputs);
  if (d.replaces.length > 0) return { ...base, kind: "replace", inputs: checked.inputs, replaces: d.replaces };
  // The engine always updates a resource whose last create/update failed part-way.
  if (d.changes === "some" || old.initErrors) return { ...base, kind: "update", inputs: checked.inputs };
  return { ...base, kind: "same", inputs: checked.inputs };
}

/**
 * What `pulumi up` does: plan, then (only if no check failed, as the engine stops on failures)
 * carry the steps out in parallel, recording outputs and partial failures in `state`.
 */
export async function up(host: ProviderHost, declared: DeclaredResource[], state: StackState): Promise<{ steps: StepResult[]; refused: PlannedStep[] }> {
  const plan = await preview(host, declared, state);
  const refused = plan.filter((s) => s.kind === "refused");
  if (refused.length > 0) return { steps: [], refused };
  // One entry's resources (same name: suspension, transfer, removal) in order, as their dependsOn
  // makes the engine do; different entries in parallel.
  const byName = new Map<string, PlannedStep[]>();
  for (const s of plan.filter((x) => x.kind !== "delete")) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const groups = await Promise.all(
    [...byName.values()].map(async (steps) => {
      const out: StepResult[] = [];
      for (const s of steps) {
        const r = await apply(host, s, state);
        out.push(r);
        if (!r.ok) break; // a failed step stops its dependents
      }
      return out;
    }),
  );
  const results = groups.flat();
  // Dependents are deleted before what they depend on: the reverse of the declaration order.
  for (const s of plan.filter((x) => x.kind === "delete").reverse()) results.push(await apply(host, s, state));
  return { steps: results, refused };
}

async function apply(host: ProviderHost, step: PlannedStep, state: StackState): Promise<StepResult> {
  const old = state.get(step.urn);
  try {
    if (step.kind === "same") {
      state.set(step.urn, { ...old!, inputs: step.inputs! });
      return { ...step, ok: true, outputs: old!.outputs };
    }
    if (step.kind === "delete") {
      await host.delete(step.urn, old!.id, old!.outputs);
      state.delete(step.urn);
      return { ...step, ok: true };
    }
    if (step.kind === "update") {
      const res = await host.update(step.urn, old!.id, old!.outputs, step.inputs!);
      state.set(step.urn, { ...old!, inputs: step.inputs!, outputs: res.properties, initErrors: undefined });
      return { ...step, ok: true, outputs: res.properties };
    }
    // create, or replace: create the new one first, then delete the old one.
    const res = await host.create(step.urn, step.inputs!);
    if (step.kind === "replace" && old) await host.delete(step.urn, old.id, old.outputs);
    state.set(step.urn, { urn: step.urn, type: step.type, name: step.name, id: res.id, inputs: step.inputs!, outputs: res.properties });
    return { ...step, ok: true, outputs: res.properties };
  } catch (e) {
    if (e instanceof InitFailedError) {
      state.set(step.urn, { urn: step.urn, type: step.type, name: step.name, id: e.id, inputs: step.inputs!, outputs: e.properties, initErrors: e.reasons });
      return { ...step, ok: false, error: e.message, outputs: e.properties };
    }
    return { ...step, ok: false, error: (e as Error).message };
  }
}

/** What `pulumi refresh` does: read every resource back. */
export async function refresh(host: ProviderHost, state: StackState): Promise<void> {
  for (const entry of state.values()) {
    const res = await host.read(entry.urn, entry.id, entry.outputs);
    if (res.id === "") state.delete(entry.urn);
    else state.set(entry.urn, { ...entry, outputs: res.properties });
  }
}

/** What `pulumi destroy` does. */
export async function destroy(host: ProviderHost, state: StackState): Promise<void> {
  for (const entry of [...state.values()].reverse()) {
    await host.delete(entry.urn, entry.id, entry.outputs);
    state.delete(entry.urn);
  }
}
