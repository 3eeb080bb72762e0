/**
 * What one provider host (one `pulumi preview` or `up`: Pulumi starts a host process per run)
 * keeps between calls: its settings and client (host-settings.ts), what its checks have seen across
 * entries (run-record.ts), and how long its removals took (task-durations.ts). The dispatch creates
 * it when the host first configures a provider and passes it to every provider method; nothing
 * else holds it. What one entry depends on (its own transfer, the program's look) is never here:
 * those are the entry's inputs.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { HostSettings } from "./host-settings";
import { RunRecord } from "./run-record";
import { TaskDurations } from "./task-durations";

export class HostContext {
  readonly settings = new HostSettings();
  readonly run = new RunRecord();
  readonly durations = new TaskDurations();
}

/** A resource kind's provider methods, as Pulumi's host calls them. */
export type ProviderMethods = Required<Pick<dynamic.ResourceProvider, "configure" | "check" | "diff" | "create" | "read" | "update" | "delete">>;

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
