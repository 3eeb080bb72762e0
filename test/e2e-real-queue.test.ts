/**
 * The real Pulumi CLI, as examples/ci runs it (`pulumi up --yes --parallel 32`), against a portal
 * whose task queues behave as DocSpace's server does: one task at a time per queue, and a task
 * that waits in the queue longer than the cleaner allows leaves the progress route and the dedupe
 * (60 s on the server; 3 s here, with tasks of 1 s). Asserted from the simulator's own record.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropCliStack, initCliStack, KEYS, localBackendEnv, pulumiCliOnPath, ROOT, runCommand, startSimulator, type CommandResult, type Simulator } from "./helpers";

const hasCli = pulumiCliOnPath("e2e-real-queue");
const PEOPLE = 25;

describe.skipIf(!hasCli)("the real CLI and DocSpace's one-task-at-a-time queue", () => {
  let s: Simulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const stack = `e2e-queue-${process.pid}`;
  const pulumi = (args: string[]): Promise<CommandResult> => runCommand("pulumi", [...args, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env });

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 1000, unregisterAfterMs: 3000, rateLimits: {} });
    dir = mkdtempSync(join(tmpdir(), "pulumi-e2e-queue-"));
    const file = join(dir, "offboarding.yaml");
    const people = Array.from({ length: PEOPLE }, (_, i) => s.portal.addUser({ email: `queued.${i}@example.com` }));
    writeFileSync(file, ["version: 1", "removals:", ...people.map((p) => `  - email: ${p.email}`)].join("\n") + "\n");
    env = localBackendEnv(dir, { DOCSPACE_POLL_MIN_MS: "200", DOCSPACE_POLL_MAX_MS: "1000" });
    await initCliStack(stack, env, { "docspace:url": s.url, "docspace:offboardingFile": file, "docspace:maxRemovalsPerRun": String(PEOPLE) }, KEYS.owner);
  }, 120_000);

  afterAll(() => dropCliStack(stack, env, dir, s), 120_000);

  it(`one pulumi up --parallel 32 of ${PEOPLE} removals: each removed once, none recorded Failed, one task per person`, async () => {
    const up = await pulumi(["up", "--yes", "--parallel", "32"]);
    expect(up.code, up.out.slice(-3000)).toBe(0);

    const removed = s.portal.removedUsers();
    const leavers = [...s.portal.users.values()].filter((u) => u.email.startsWith("queued."));
    for (const u of leavers) {
      expect(removed.filter((id) => id === u.id), `${u.email} removed once`).toHaveLength(1);
      expect(s.portal.tasksFor(u.id), `${u.email}: one task`).toHaveLength(1);
    }
    expect(s.portal.startedTasks.filter((t) => t.droppedWhileQueued), "no task waited in DocSpace's queue past its cleaner").toEqual([]);

    const exported = JSON.parse((await pulumi(["stack", "export"])).stdout) as { deployment: { resources: Array<{ type: string; outputs?: { status?: string } }> } };
    const statuses = exported.deployment.resources.filter((r) => r.type.endsWith("docspace:UserRemoval")).map((r) => r.outputs?.status);
    expect(statuses).toHaveLength(PEOPLE);
    expect(statuses.filter((x) => x !== "Completed"), "none Failed, none left running").toEqual([]);
  }, 600_000);
});
