/**
 * What one provider host (one `pulumi preview` or `up`: Pulumi starts a host process per run)
 * keeps between calls: its settings and client (settings.ts), what its checks have seen across
 * entries (run-record.ts), and how long its removals took (removal-times.ts). The dispatch creates
 * it when the host first configures a provider and passes it to every provider method; nothing
 * else holds it. What one entry depends on (its own transfer, the program's look) is never here:
 * those are the entry's inputs.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { HostSettings } from "./settings";
import { RunRecord } from "./run-record";
import { RemovalTimes } from "./removal-times";

export class HostContext {
  readonly settings = new HostSettings();
  readonly run = new RunRecord();
  readonly durations = new RemovalTimes();
}

/** A resource kind's provider methods, as Pulumi's host calls them. */
export type ProviderMethods = Required<Pick<dynamic.ResourceProvider, "configure" | "check" | "diff" | "create" | "read" | "update" | "delete">>;

type Props = Record<string, unknown>;

/** A resource kind's implementation: each method given the host's context explicitly. */
export interface KindMethods {
  check(ctx: HostContext, olds: Props | undefined, news: Props): Promise<dynamic.CheckResult>;
  diff(ctx: HostContext, id: string, olds: Props, news: Props): Promise<dynamic.DiffResult>;
  create(ctx: HostContext, props: Props): Promise<dynamic.CreateResult>;
  read(ctx: HostContext, id: string, props: Props): Promise<dynamic.ReadResult>;
  update(ctx: HostContext, id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult>;
  delete(id: string, props: Props): Promise<void>;
}

/**
 * The methods Pulumi's host calls, each acting in the context `ctx()` gives: the dispatch passes
 * the one it holds; the names earlier versions' state calls pass this host's.
 */
export function providerMethods(kind: KindMethods, ctx: () => HostContext): ProviderMethods {
  return {
    configure: async (req) => ctx().settings.configure(req.config),
    check: (olds: Props | undefined, news: Props) => kind.check(ctx(), olds, news),
    diff: (id: string, olds: Props, news: Props) => kind.diff(ctx(), id, olds, news),
    create: (props: Props) => kind.create(ctx(), props),
    read: (id: string, props: Props) => kind.read(ctx(), id, props),
    update: (id: string, olds: Props, news: Props) => kind.update(ctx(), id, olds, news),
    delete: (id: string, props: Props) => kind.delete(id, props),
  };
}

let current: HostContext | undefined;

/** This host's context: the one the dispatch hands to every provider method in this process. */
export function hostContext(): HostContext {
  return (current ??= new HostContext());
}

/** For tests and harnesses that act as a new host in the same process: a fresh context from now on. */
export function freshHostContext(): HostContext {
  current = new HostContext();
  return current;
}
