/**
 * examples/ci/offboarding.yml, read with the `yaml` package and run: each job's `run:` steps are
 * executed in order, as GitHub would run them (bash -eo pipefail, the workflow, job and step env
 * with its `${{ }}` expressions evaluated, step `if:` honoured), in a fresh checkout per job, with
 * the real Pulumi CLI, a local file backend in place of Pulumi Cloud, and the DocSpace simulator in
 * this process. `uses:` steps are done by the test instead (checkout: a temporary project; setup-node:
 * this Node; pulumi/actions: the CLI on PATH), and so are `npm ci` / `npm run build` (the checkout
 * links this repository's node_modules and dist, built before the tests). `gh` is a stand-in that
 * records the comment it was asked to post. Outcomes are asserted from the simulator's record.
 *
 * The structure of the workflow (which job may see which key, environment, concurrency, preview
 * before up) is asserted without the CLI. The runs need `pulumi` on PATH; they are skipped, saying
 * so, without it, and fail when PULUMI_DOCSPACE_E2E=required (as test/e2e-cli.test.ts).
 */
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, pulumiCliOnPath, ROOT, startSimulator, USERS, type Simulator } from "./helpers";

const hasCli = pulumiCliOnPath("e2e-ci-workflow", "runs skipped (structure still checked)");

// ---- the workflow as data ------------------------------------------------------------------

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  shell?: string;
}
interface Job {
  if?: string;
  environment?: string | { name: string };
  concurrency?: string | { group: string; "cancel-in-progress"?: boolean | string };
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  concurrency?: Job["concurrency"];
  jobs: Record<string, Job>;
}

const WORKFLOW_FILE = join(ROOT, "examples", "ci", "offboarding.yml");
const wf = parse(readFileSync(WORKFLOW_FILE, "utf8")) as Workflow;
const PR_JOB = "preview";
const APPLY_JOB = "apply";
const WRITE_KEY_SECRET = /secrets\.DOCSPACE_API_KEY(?![A-Za-z0-9_])/;
const READ_KEY_SECRET = /secrets\.DOCSPACE_API_KEY_READONLY(?![A-Za-z0-9_])/;

/** The `pulumi …` commands of a run script, one per line (continuations joined). */
function pulumiCommands(script: string): string[] {
  return script
    .replace(/\\\n/g, " ")
    .split("\n")
    .flatMap((line) => line.split(/\|/))
    .map((part) => part.trim())
    .filter((part) => /^pulumi\s/.test(part));
}

const runSteps = (job: Job): Step[] => job.steps.filter((s) => s.run !== undefined);
const indexOfCommand = (job: Job, re: RegExp): number => job.steps.findIndex((s) => s.run !== undefined && pulumiCommands(s.run).some((c) => re.test(c)));

/** GitHub expression contexts. `secrets` records which secret a job asked for. */
interface Contexts {
  github: Record<string, unknown>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  steps: Record<string, { outcome: string; conclusion: string }>;
  jobFailed: boolean;
}

/**
 * Evaluates a GitHub expression. The workflow uses only what is also JavaScript: property paths,
 * 'strings', ==, !=, &&, ||, !, parentheses and the status functions.
 */
function evaluate(expr: string, c: Contexts): unknown {
  const body = expr.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  const fn = new Function("github", "secrets", "vars", "steps", "success", "failure", "always", "cancelled", `return (${body});`) as (...a: unknown[]) => unknown;
  return fn(c.github, c.secrets, c.vars, c.steps, () => !c.jobFailed, () => c.jobFailed, () => true, () => false);
}

/** `${{ … }}` inside a value, as GitHub substitutes it (missing values become ""). */
function substitute(value: unknown, c: Contexts): string {
  return String(value).replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => {
    const v = evaluate(e, c);
    return v === undefined || v === null ? "" : String(v);
  });
}

/** A step runs when its `if:` says so; without one, only while every earlier step succeeded. */
function stepRuns(step: Step, c: Contexts): boolean {
  if (step.if === undefined) return !c.jobFailed;
  const cond = step.if.trim();
  const usesStatus = /\b(success|failure|always|cancelled)\(\)/.test(cond);
  const result = Boolean(evaluate(cond, c));
  return usesStatus ? result : result && !c.jobFailed;
}

const EVENTS = {
  pullRequest: { event_name: "pull_request", ref: "refs/pull/7/merge", token: "ghs_fake_token_for_the_test", event: { pull_request: { number: 7 } } },
  pushMain: { event_name: "push", ref: "refs/heads/main", token: "ghs_fake_token_for_the_test", event: {} },
  pushOther: { event_name: "push", ref: "refs/heads/feature", token: "ghs_fake_token_for_the_test", event: {} },
  dispatchMain: { event_name: "workflow_dispatch", ref: "refs/heads/main", token: "ghs_fake_token_for_the_test", event: {} },
  scheduleMain: { event_name: "schedule", ref: "refs/heads/main", token: "ghs_fake_token_for_the_test", event: {} },
} as const;

function jobRunsOn(job: Job, github: Record<string, unknown>): boolean {
  return job.if === undefined || Boolean(evaluate(job.if, { github, secrets: {}, vars: {}, steps: {}, jobFailed: false }));
}

// ---- structure -----------------------------------------------------------------------------

describe("examples/ci/offboarding.yml: structure", () => {
  const pr = wf.jobs[PR_JOB]!;
  const apply = wf.jobs[APPLY_JOB]!;

  it("has exactly the two jobs: the preview runs on pull requests only, the apply on pushes to main (and a manual run from main) only", () => {
    expect(Object.keys(wf.jobs).sort()).toEqual([APPLY_JOB, PR_JOB].sort());
    expect(Object.keys(wf.on)).toContain("pull_request");
    expect((wf.on.push as { branches: string[] }).branches).toEqual(["main"]);
    expect(jobRunsOn(pr, EVENTS.pullRequest)).toBe(true);
    expect(jobRunsOn(pr, EVENTS.pushMain)).toBe(false);
    expect(jobRunsOn(apply, EVENTS.pullRequest)).toBe(false);
    expect(jobRunsOn(apply, EVENTS.pushMain)).toBe(true);
    expect(jobRunsOn(apply, EVENTS.dispatchMain)).toBe(true);
    expect(jobRunsOn(apply, EVENTS.pushOther)).toBe(false);
  });

  it("a daily scheduled run applies what has come due (removeAfter) through the same apply job, never the preview job", () => {
    const schedule = wf.on.schedule as Array<{ cron: string }>;
    expect(schedule).toHaveLength(1);
    expect(schedule[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/); // once a day
    expect(jobRunsOn(apply, EVENTS.scheduleMain)).toBe(true);
    expect(jobRunsOn(pr, EVENTS.scheduleMain)).toBe(false);
  });

  it("the write key appears only in the apply job: not in the preview job, the workflow env or anywhere else", () => {
    const { jobs, ...rest } = wf;
    expect(JSON.stringify(rest)).not.toMatch(WRITE_KEY_SECRET);
    expect(JSON.stringify(jobs[PR_JOB])).not.toMatch(WRITE_KEY_SECRET);
    expect(JSON.stringify(jobs[PR_JOB])).toMatch(READ_KEY_SECRET);
    expect(JSON.stringify(apply)).not.toMatch(READ_KEY_SECRET);
    // In the apply job, only the one step that configures the stack gets it (not the job env).
    expect(JSON.stringify(apply.env ?? {})).not.toMatch(WRITE_KEY_SECRET);
    expect(apply.steps.filter((s) => WRITE_KEY_SECRET.test(JSON.stringify(s)))).toHaveLength(1);
  });

  it("the apply job is in a protected environment the preview job does not use, one run at a time, never cancelled", () => {
    const envName = typeof apply.environment === "string" ? apply.environment : apply.environment?.name;
    expect(envName).toBe("docspace-production");
    expect(pr.environment).toBeUndefined();
    const conc = apply.concurrency ?? wf.concurrency;
    expect(conc).toBeDefined();
    const group = typeof conc === "string" ? conc : conc!.group;
    expect(group).not.toMatch(/\$\{\{/); // one fixed group: every run of the job queues behind the last
    const cancel = typeof conc === "string" ? undefined : conc!["cancel-in-progress"];
    expect(cancel === undefined || cancel === false || cancel === "false").toBe(true);
    expect(readFileSync(WORKFLOW_FILE, "utf8")).toMatch(/required reviewers/i);
  });

  it("the apply job runs `pulumi preview`, then `pulumi up` (with its own preview: no --skip-preview), and no pulumi/actions `command`", () => {
    const preview = indexOfCommand(apply, /^pulumi preview\b/);
    const up = indexOfCommand(apply, /^pulumi up\b/);
    expect(preview).toBeGreaterThan(-1);
    expect(up).toBeGreaterThan(preview);
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps) {
        for (const cmd of step.run === undefined ? [] : pulumiCommands(step.run)) expect(cmd).not.toMatch(/--skip-preview|\s-f\b/);
        if (step.uses?.startsWith("pulumi/actions")) expect(step.with?.command, "pulumi/actions only installs the CLI").toBeUndefined();
      }
    }
    expect(indexOfCommand(pr, /^pulumi (up|destroy|refresh|import|state)\b/)).toBe(-1);
  });

  it("each job installs Node 24 (current LTS), runs npm ci and the build, and gets a CLI within the supported range; run scripts take values only through env (no ${{ }} in a script)", () => {
    // The supported CLI range: the oldest end's release (tools/pulumi-cli/go.mod) to the newest end's (latest/go.mod).
    const cliOf = (mod: string): number[] => readFileSync(join(ROOT, "tools", "pulumi-cli", mod), "utf8").match(/pulumi\/pkg\/v3 v(\d+)\.(\d+)\.(\d+)/)!.slice(1).map(Number);
    const cmp = (a: number[], b: number[]): number => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
    for (const job of [pr, apply]) {
      const node = job.steps.find((s) => s.uses?.startsWith("actions/setup-node"));
      expect(String(node?.with?.["node-version"])).toBe("24");
      const cli = String(job.steps.find((s) => s.uses?.startsWith("pulumi/actions"))?.with?.["pulumi-version"]);
      expect(cli).toMatch(/^\d+\.\d+\.\d+$/);
      const v = cli.split(".").map(Number);
      expect(cmp(v, cliOf("go.mod")), `pulumi-version ${cli}`).toBeGreaterThanOrEqual(0);
      expect(cmp(v, cliOf("latest/go.mod")), `pulumi-version ${cli}`).toBeLessThanOrEqual(0);
      const runs = runSteps(job).map((s) => s.run!.trim());
      expect(runs.indexOf("npm ci")).toBeGreaterThan(-1);
      expect(runs.indexOf("npm run build")).toBeGreaterThan(runs.indexOf("npm ci"));
      const install = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions"));
      expect(install).toBeGreaterThan(-1);
      expect(install).toBeLessThan(indexOfCommand(job, /^pulumi /));
      for (const s of runSteps(job)) expect(s.run).not.toMatch(/\$\{\{/);
    }
    expect(wf.defaults?.run?.shell).toBe("bash"); // bash -eo pipefail: `pulumi … | tee` fails when pulumi does
  });

  it("the preview job posts its output on the pull request even when the preview fails, and may write to pull requests; the apply job may not", () => {
    const preview = indexOfCommand(pr, /^pulumi preview\b/);
    const post = pr.steps.findIndex((s) => s.run !== undefined && /\bgh pr comment\b/.test(s.run));
    expect(post).toBeGreaterThan(preview);
    expect(pr.steps[post]!.if).toMatch(/!cancelled\(\)|always\(\)/);
    expect(pr.permissions?.["pull-requests"]).toBe("write");
    expect(apply.permissions?.["pull-requests"]).toBeUndefined();
    expect(wf.env?.["DOCSPACE_API_KEY"]).toBeUndefined();
  });
});

// ---- the jobs, run -------------------------------------------------------------------------

interface StepResult {
  step: string;
  ran: boolean;
  code: number | null;
  out: string;
  /** Simulator writes (non-GET requests) during this step. */
  writes: number;
}

interface JobResult {
  steps: StepResult[];
  secretsRead: string[];
  summary: string;
  comments: string;
  ghCalls: string;
}

describe.skipIf(!hasCli)("examples/ci/offboarding.yml: its jobs' commands, run in order with the real CLI against the simulator", () => {
  let s: Simulator;
  let work: string;
  let backend: string;
  let bin: string;
  const READ_ONLY_KEY = "sk-sim-readonly-ci-9c2e5a7b1d3f4860";
  // A mix the apply job must handle: by email and by id, with and without a successor, and a
  // DocSpace admin (needs allowAdmin and the owner's key).
  const REASON = "ci-workflow test, HR-0010"; // proves the program read this checkout's file
  const ENTRIES: Array<{ yaml: string[]; name: string; userId: string }> = [
    { yaml: ["  - email: jane.doe@example.com", "    transferTo: archive@example.com"], name: "jane.doe@example.com", userId: USERS.jane },
    { yaml: [`  - id: ${USERS.mark}`, "    transferTo: team.lead@example.com"], name: USERS.mark, userId: USERS.mark },
    { yaml: ["  - email: admin.bob@example.com", "    allowAdmin: true", "    transferTo: archive@example.com"], name: "admin.bob@example.com", userId: USERS.bob },
    { yaml: ["  - email: john.smith@example.com"], name: "john.smith@example.com", userId: USERS.john },
  ];
  const OFFBOARDING = ["version: 1", "defaults:", `  reason: "${REASON}"`, "removals:", ...ENTRIES.flatMap((e) => e.yaml)].join("\n") + "\n";
  const allOutput: string[] = [];

  /** A fresh checkout of a repository that holds offboarding.yaml and this project (as actions/checkout + npm ci + build leave it). */
  function checkout(offboarding = OFFBOARDING): string {
    const dir = mkdtempSync(join(work, "checkout-"));
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
    writeFileSync(join(dir, "offboarding.yaml"), offboarding);
    // dist is copied, as `npm run build` leaves it: through a symlink the program's working
    // directory would resolve into this repository and find its Pulumi.yaml and offboarding.yaml.
    cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
    for (const linked of ["package.json", "node_modules"]) symlinkSync(join(ROOT, linked), join(dir, linked));
    return dir;
  }

  /** bash -eo pipefail, as `shell: bash` runs a step, without blocking this process (the simulator answers from here). */
  function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.on("close", (code) => resolve({ code, out }));
    });
  }

  /** Runs one job of the workflow for an event, with the given repository secrets. */
  async function runJob(name: string, github: Record<string, unknown>, secrets: Record<string, string>, offboarding?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<JobResult> {
    const job = wf.jobs[name]!;
    expect(jobRunsOn(job, github)).toBe(true);
    const dir = checkout(offboarding);
    const summaryFile = join(dir, "..", `${name}-summary-${Date.now()}.md`);
    const ghLog = join(dir, "..", `${name}-gh-${Date.now()}.log`);
    const ghBody = join(dir, "..", `${name}-gh-body-${Date.now()}.md`);
    for (const f of [summaryFile, ghLog, ghBody]) writeFileSync(f, "");
    const secretsRead = new Set<string>();
    const c: Contexts = {
      github,
      secrets: new Proxy(secrets, {
        get: (t, k) => {
          if (typeof k === "string") secretsRead.add(k);
          return typeof k === "string" ? t[k] : undefined;
        },
      }),
      vars: { DOCSPACE_URL: s.url },
      steps: {},
      jobFailed: false,
    };
    // What a GitHub runner provides, the local backend in place of Pulumi Cloud, and the stand-in gh.
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      CI: "true",
      GITHUB_STEP_SUMMARY: summaryFile,
      FAKE_GH_LOG: ghLog,
      FAKE_GH_BODY: ghBody,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_HOME: join(work, "pulumi-home"), // the runner's ~/.pulumi: stack selections stay in the temporary folder
      PULUMI_CONFIG_PASSPHRASE: "ci-workflow-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      DOCSPACE_URL: "",
      DOCSPACE_API_KEY: "",
      DOCSPACE_POLL_MIN_MS: "100",
      DOCSPACE_POLL_MAX_MS: "300",
      ...extraEnv,
    };
    const scope = (vars: Record<string, string> | undefined): Record<string, string> => Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, substitute(v, c)]));
    const jobEnv = { ...scope(wf.env), ...scope(job.env) };
    const steps: StepResult[] = [];
    for (const step of job.steps) {
      const label = step.name ?? step.run?.trim().split("\n")[0] ?? step.uses ?? "?";
      if (step.run === undefined) continue; // checkout, setup-node, pulumi/actions: provided by the test
      const script = step.run.trim();
      if (script === "npm ci" || script === "npm run build") continue; // done before the tests: the checkout links node_modules and copies dist
      const ran = stepRuns(step, c);
      let result = { code: null as number | null, out: "" };
      const before = s.writes().length;
      if (ran) {
        expect(step.shell ?? wf.defaults?.run?.shell).toBe("bash");
        result = await bash(step.run, dir, { ...base, ...jobEnv, ...scope(step.env) });
        allOutput.push(result.out);
        if (result.code !== 0) c.jobFailed = true;
      }
      const outcome = !ran ? "skipped" : result.code === 0 ? "success" : "failure";
      if (step.id) c.steps[step.id] = { outcome, conclusion: outcome };
      steps.push({ step: label, ran, code: result.code, out: result.out, writes: s.writes().length - before });
    }
    const comments = readFileSync(ghBody, "utf8");
    const summary = readFileSync(summaryFile, "utf8");
    allOutput.push(comments, summary);
    return { steps, secretsRead: [...secretsRead].sort(), summary, comments, ghCalls: readFileSync(ghLog, "utf8") };
  }

  const stepOf = (r: JobResult, re: RegExp): StepResult => {
    const found = r.steps.find((x) => re.test(x.step));
    expect(found, `no step matching ${re} in ${r.steps.map((x) => x.step).join(" | ")}`).toBeDefined();
    return found!;
  };
  const planned = (name: string): RegExp => new RegExp(`\\+ pulumi-nodejs:dynamic/docspace:UserRemoval: \\(create\\)\\s+\\[urn=[^\\]]*UserRemoval::${name.replace(/\./g, "\\.")}\\]`);
  const tasksFor = (userId: string): number => s.portal.startedTasks.filter((t) => t.userId.toLowerCase() === userId.toLowerCase()).length;

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 500, rateLimits: false });
    // The preview key: the owner's account (the same as the write key's, so the gate's "your own
    // account" and "admins need the owner's key" rules are judged as at apply), read scopes only.
    s.portal.addApiKey(USERS.owner, READ_ONLY_KEY, ["accounts:read", "accounts.self:read", "*:read"], "ci preview key");
    work = mkdtempSync(join(tmpdir(), "pulumi-ci-workflow-"));
    backend = join(work, "backend");
    bin = join(work, "bin");
    mkdirSync(backend);
    mkdirSync(bin);
    // The stand-in for the GitHub CLI: records its arguments and the body it would post.
    writeFileSync(
      join(bin, "gh"),
      ["#!/usr/bin/env bash", "set -euo pipefail", 'printf "%s\\n" "$*" >> "$FAKE_GH_LOG"', 'while [ $# -gt 0 ]; do if [ "$1" = "--body-file" ]; then cat "$2" >> "$FAKE_GH_BODY"; fi; shift; done', ""].join("\n"),
    );
    chmodSync(join(bin, "gh"), 0o755);
  }, 60_000);

  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await s?.stop();
  }, 60_000);

  it("pull request: the preview job, with the read-only key, writes nothing at the portal, posts its preview, and never reads the write key", async () => {
    const r = await runJob(PR_JOB, EVENTS.pullRequest, { DOCSPACE_API_KEY_READONLY: READ_ONLY_KEY, DOCSPACE_API_KEY: KEYS.owner, PULUMI_ACCESS_TOKEN: "" });
    expect(r.secretsRead).not.toContain("DOCSPACE_API_KEY");
    expect(r.secretsRead).toContain("DOCSPACE_API_KEY_READONLY");
    expect(s.writes()).toEqual([]);
    expect(s.portal.startedTasks).toHaveLength(0);

    const configure = stepOf(r, /^Configure/);
    expect(configure.code, configure.out).toBe(0);
    const preview = stepOf(r, /^pulumi preview/);
    expect(preview.ran).toBe(true);
    const post = stepOf(r, /^Post the preview/);
    expect(post.ran).toBe(true);
    expect(post.code, post.out).toBe(0);
    // Two comments: what happens to each person's data (the preview's markdown summary), then the preview itself.
    expect(r.ghCalls.trim().split("\n")).toEqual(["pr comment 7 --body-file offboarding-summary.md", "pr comment 7 --body-file comment.md"]);
    expect(r.comments).toContain(preview.out.trim().split("\n")[0]!);
    expect(r.comments).toContain("| Account | Action | Rooms → new owner | Personal data deleted | Shared items moved | Warnings |");
    for (const e of ENTRIES.filter((x) => x.name.includes("@"))) expect(r.comments).toMatch(new RegExp(`\\| ${e.name.replace(/\./g, "\\.")} \\(`));
    expect(r.comments).toMatch(/admin\.bob@example\.com[^\n]*\| transfer, remove \| 2 → Archive Keeper/);

    // The job sets DOCSPACE_PREVIEW_ONLY: the gate plans with the read-only key (and would refuse any start).
    expect(preview.code, preview.out).toBe(0);
    for (const e of ENTRIES) {
      expect(preview.out).toMatch(planned(e.name));
      expect(r.comments).toMatch(planned(e.name));
    }
    expect(r.comments).toContain("(success)");
  }, 300_000);

  it("merge to main: the apply job, with the write key, previews (writing nothing), then removes each listed account exactly once", async () => {
    const r = await runJob(APPLY_JOB, EVENTS.pushMain, { DOCSPACE_API_KEY_READONLY: READ_ONLY_KEY, DOCSPACE_API_KEY: KEYS.owner, PULUMI_ACCESS_TOKEN: "" });
    expect(r.secretsRead).toContain("DOCSPACE_API_KEY");
    expect(r.secretsRead).not.toContain("DOCSPACE_API_KEY_READONLY");
    for (const step of r.steps) {
      expect(step.ran, step.step).toBe(true);
      expect(step.code, `${step.step}\n${step.out}`).toBe(0);
    }
    const preview = stepOf(r, /^pulumi preview/);
    for (const e of ENTRIES) expect(preview.out).toMatch(planned(e.name));
    expect(preview.out.split(REASON).length - 1).toBe(ENTRIES.length);
    expect(preview.writes).toBe(0);
    expect(stepOf(r, /^Configure/).writes).toBe(0);
    expect(stepOf(r, /^pulumi up/).writes).toBeGreaterThan(0);

    for (const e of ENTRIES) {
      expect(tasksFor(e.userId), e.name).toBe(1);
      expect(s.portal.liveUser(e.userId), e.name).toBeUndefined();
    }
    expect(s.portal.startedTasks).toHaveLength(ENTRIES.length);
    expect(r.summary).toMatch(/"totals":\s*\{[^}]*"Completed":\s*4/);
  }, 300_000);

  it("the apply job run again (a re-run, the next merge) previews no new removal and starts nothing", async () => {
    const writes = s.writes().length;
    const r = await runJob(APPLY_JOB, EVENTS.dispatchMain, { DOCSPACE_API_KEY_READONLY: READ_ONLY_KEY, DOCSPACE_API_KEY: KEYS.owner, PULUMI_ACCESS_TOKEN: "" });
    for (const step of r.steps) expect(step.code, `${step.step}\n${step.out}`).toBe(0);
    for (const e of ENTRIES) expect(stepOf(r, /^pulumi preview/).out).not.toMatch(planned(e.name));
    expect(s.writes()).toHaveLength(writes);
    for (const e of ENTRIES) expect(tasksFor(e.userId), e.name).toBe(1);
  }, 300_000);

  it("schedule: an entry with removeAfter is disabled by the merge, and removed by the first daily run on its date, never re-enabled in between", async () => {
    const secrets = { DOCSPACE_API_KEY_READONLY: READ_ONLY_KEY, DOCSPACE_API_KEY: KEYS.owner, PULUMI_ACCESS_TOKEN: "" };
    const dated = OFFBOARDING + ["  - email: nora.north@example.com", "    removeAfter: 2027-01-31", ""].join("\n");
    const noraTasks = (): number => tasksFor(USERS.nora);
    const reEnabled = (): number => s.portal.statusChanges.filter((c) => c.status === 1 && c.userIds.includes(USERS.nora)).length;

    const merge = await runJob(APPLY_JOB, EVENTS.pushMain, secrets, dated, { DOCSPACE_TODAY: "2027-01-10" });
    for (const step of merge.steps) expect(step.code, `${step.step}\n${step.out}`).toBe(0);
    expect(stepOf(merge, /^pulumi preview/).out).toMatch(/removal due on 2027-01-31 \(in 21 days\)/);
    expect(s.portal.liveUser(USERS.nora)?.status).toBe(2);
    expect(noraTasks()).toBe(0);

    const early = await runJob(APPLY_JOB, EVENTS.scheduleMain, secrets, dated, { DOCSPACE_TODAY: "2027-01-30" });
    for (const step of early.steps) expect(step.code, `${step.step}\n${step.out}`).toBe(0);
    expect(noraTasks()).toBe(0);

    const due = await runJob(APPLY_JOB, EVENTS.scheduleMain, secrets, dated, { DOCSPACE_TODAY: "2027-01-31" });
    for (const step of due.steps) expect(step.code, `${step.step}\n${step.out}`).toBe(0);
    expect(stepOf(due, /^pulumi preview/).out).toMatch(/\+ pulumi-nodejs:dynamic\/docspace:UserRemoval: \(create\)\s+\[urn=[^\]]*UserRemoval::nora\.north@example\.com\]/);
    expect(noraTasks()).toBe(1);
    expect(s.portal.liveUser(USERS.nora)).toBeUndefined();
    expect(reEnabled()).toBe(0);
    for (const e of ENTRIES) expect(tasksFor(e.userId), e.name).toBe(1);
  }, 600_000);

  it("no key appears in anything the jobs printed, posted or summarised", () => {
    expect(allOutput.length).toBeGreaterThan(0);
    for (const text of allOutput) {
      for (const key of [KEYS.owner, READ_ONLY_KEY]) expect(text).not.toContain(key);
    }
    expect(existsSync(backend)).toBe(true);
  });
});
