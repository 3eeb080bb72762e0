/**
 * Shared test helpers. Anything that reaches the provider code goes through the compiled package
 * (Node's own require), as the provider host and `pulumi up` load it; vitest's transform would
 * serialize differently: vitest inlines top-level npm imports, which then crash in the host.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join, sep } from "node:path";
import type * as Package from "../provider";
import type * as RemovalImpl from "../provider/resources/user-removal/methods";
import type * as HostSettingsModule from "../provider/resources/host/settings";
import type * as SimulatorModule from "../simulator/server";
import type * as HostModule from "../tools/provider-host";
import type * as LifecycleModule from "../tools/lifecycle";
import type * as ProgramModule from "../provider/program/offboarding-program";

export const ROOT = join(__dirname, "..");
const nodeRequire = createRequire(join(ROOT, "package.json"));
/**
 * What the package exports, through its own name (Node's package self-reference), as the
 * serialized shims load it: the same module instances as the provider code run in this process.
 */
const fromPackage = (subpath: string): unknown => nodeRequire(subpath === "." ? "pulumi-docspace" : `pulumi-docspace/${subpath}`);
/** Modules the package does not export (internals, simulator, tools): by file path from the build. */
export const fromDist = (path: string): unknown => nodeRequire(join(ROOT, "dist", path));

/**
 * A module loaded on first use: loading @pulumi/pulumi costs most of a second of CPU, and many test
 * files (and every skipped e2e file) never touch it.
 */
function onFirstUse<T extends object>(load: () => unknown): T {
  let loaded: T | undefined;
  const target = (): T => (loaded ??= load() as T);
  return new Proxy({} as T, {
    get: (_t, p) => Reflect.get(target(), p),
    has: (_t, p) => Reflect.has(target(), p),
    set: (_t, p, v) => Reflect.set(target(), p, v),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_t, p) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), p);
      return d ? { ...d, configurable: true } : undefined;
    },
  });
}

export const pkg = onFirstUse<typeof Package>(() => fromPackage("."));
export const removalImpl = onFirstUse<typeof RemovalImpl>(() => fromPackage("dist/provider/resources/user-removal-impl.js"));
export const hostSettings = onFirstUse<typeof HostSettingsModule>(() => fromDist("provider/resources/host/settings.js"));
export const sim = onFirstUse<typeof SimulatorModule>(() => fromDist("simulator/server.js"));
export const hostModule = onFirstUse<typeof HostModule>(() => fromDist("tools/provider-host.js"));
export const lifecycle = onFirstUse<typeof LifecycleModule>(() => fromDist("tools/lifecycle.js"));
export const program = onFirstUse<typeof ProgramModule>(() => fromDist("provider/program/offboarding-program.js"));

export const KEYS = {
  owner: "sk-sim-owner-3f7a9c1e5b2d4860",
  admin: "sk-sim-admin-8e21b7d04c9f3a65",
  readonly: "sk-sim-readonly-5a0c3e8f1b7d2946",
  roomAdmin: "sk-sim-roomadmin-c4d91e6a7f02b358",
  user: "sk-sim-user-0b6f2a9d8c3e7154",
  guest: "sk-sim-guest-7e3a5c1f9d0b8264",
  ldap: "sk-sim-ldap-2d8b6f0a4c1e9357",
} as const;

export const USERS = {
  owner: "61c229b6-86da-4524-8bce-682165b3cdb7",
  admin: "501ed7c3-4661-4a66-b43e-ec29f4d2d8e7",
  bob: "6fd3f359-fec0-4482-ab9a-34f72c54e65c",
  teamLead: "13a91896-e6c7-4e57-8216-fd3840429c89",
  archive: "e95b812c-85f8-41fd-9bf2-500f1e520704",
  jane: "9de154e5-f51b-4e3f-bdfe-9c01099a96ae",
  mark: "9924256a-739c-462b-af15-e652a3b1b6eb",
  john: "cd7744f1-4e5c-4dd9-89a0-990a47330490",
  formerLead: "4446ea6f-8abf-4adf-9443-56bdd4b2d237",
  sam: "cb4bb0a1-23fe-43d8-99e4-5556851e046d",
  guest: "cace49e3-f6f8-46bb-9420-a3f402a544b5",
  ldap: "332ead1e-40cb-41e5-81a5-566805ce972c",
  nora: "4526cbfe-ddaa-470f-9ea0-7ce203b6e8d1",
  paul: "225cdd31-c550-43ea-b282-d2c3a11399ae",
} as const;

export type Simulator = InstanceType<typeof SimulatorModule.DocSpaceSimulator>;

/**
 * A simulator for one test or file. Its `stop` fails the test when a fault it was given never hit
 * a request: a fault that never fires tests nothing.
 */
export async function startSimulator(options: SimulatorModule.SimulatorOptions = {}): Promise<Simulator> {
  const s = new sim.DocSpaceSimulator({ taskDurationMs: 300, rateLimits: false, ...options });
  await s.start();
  const stop = s.stop.bind(s);
  s.stop = async () => {
    await stop();
    expectEveryFaultFired(s);
  };
  return s;
}

/**
 * A clock for the simulator (`now`) that runs with the wall clock and can be moved ahead: a test
 * that needs a task to finish while nobody watches skips its simulated time instead of waiting for it.
 */
export function skippableClock(): { now: () => number; skip: (ms: number) => void } {
  let ahead = 0;
  return {
    now: () => Date.now() + ahead,
    skip: (ms: number) => {
      ahead += ms;
    },
  };
}

/** For a simulator shared by a file's tests: call after each test, so the test whose fault never fired is the one that fails. */
export function expectEveryFaultFired(s: Simulator): void {
  const unfired = s.settleFaults();
  if (unfired.length > 0) throw new Error(`injected faults that never fired: ${unfired.map((f) => `${f.kind} on ${f.route}`).join(", ")}`);
}

/** Points the provider code in this process at `url` with `key` (the environment fallback). */
export function usePortal(url: string, key: string, extra: Record<string, string> = {}): void {
  removalImpl.resetRunGuard(); // a fresh host context: settings, client, run record
  process.env.DOCSPACE_URL = url;
  process.env.DOCSPACE_API_KEY = key;
  process.env.DOCSPACE_POLL_MIN_MS = "50";
  process.env.DOCSPACE_POLL_MAX_MS = "200";
  process.env.DOCSPACE_MAX_RETRY_DELAY_MS = "5000";
  for (const [k, v] of Object.entries(extra)) process.env[k] = v;
}

/** Environment for a provider host process pointed at nothing but the stack config. */
export const HOST_ENV = {
  DOCSPACE_URL: "",
  DOCSPACE_API_KEY: "",
  DOCSPACE_POLL_MIN_MS: "50",
  DOCSPACE_POLL_MAX_MS: "200",
} as const;

export function writesTo(s: Simulator): string[] {
  return s.writes().map((r) => `${r.method} ${r.route}`);
}

/**
 * Whether the real pulumi CLI is on PATH, for the end-to-end suites. With
 * PULUMI_DOCSPACE_E2E=required (CI) its absence is an error; otherwise the suite says what it skips.
 */
export function pulumiCliOnPath(suite: string, skipped = "skipped"): boolean {
  const found = spawnSync("pulumi", ["version"], { stdio: "ignore" }).status === 0;
  if (!found && process.env.PULUMI_DOCSPACE_E2E === "required") {
    throw new Error("PULUMI_DOCSPACE_E2E=required, but the pulumi CLI is not on PATH. Build it with `npm run cli` and put the folder it prints on PATH.");
  }
  if (!found) console.log(`${suite}: ${skipped}: the pulumi CLI is not on PATH. \`npm run cli\` builds it from its Go modules (needs Go); then put the folder it prints on PATH.`);
  return found;
}

export const REMOVAL_TYPE = "pulumi-nodejs:dynamic/docspace:UserRemoval";
export const SELF_DELETE_TYPE = "pulumi-nodejs:dynamic/docspace:SelfDeleteRequest";

/** Both resources' serialized providers (`__provider`), exactly as a program stores them. */
export async function serializedProviders(): Promise<{ removal: string; selfDelete: string }> {
  const declared = await lifecycle.declareResources(() => [new pkg.UserRemoval("probe", { email: "probe@example.com" }), new pkg.SelfDeleteRequest("probe-self", {})]);
  const text = (type: string): string => String(declared.resources.find((r) => r.type === type)!.inputs.__provider);
  return { removal: text(REMOVAL_TYPE), selfDelete: text(SELF_DELETE_TYPE) };
}

export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface CommandResult {
  code: number | null;
  stdout: string;
  /** stdout and stderr as they came. */
  out: string;
}

/**
 * Runs a command without blocking this process: a simulator living here must keep answering
 * (spawnSync would deadlock it). `input` goes to stdin (e.g. a secret for `pulumi config set --secret`).
 */
export function runCommand(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let out = "";
    child.stdout.on("data", (d: Buffer) => ((stdout += d.toString()), (out += d.toString())));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.stdin.end(opts.input ?? "");
    child.on("error", (e) => resolve({ code: null, stdout, out: `${out}${e.message}` }));
    child.on("close", (code) => resolve({ code, stdout, out }));
  });
}

/**
 * A new stack of this repository's program on a local backend, for the real CLI: `stack init`,
 * then each `docspace:*` setting, then the API key as a secret. Throws with the CLI's words when
 * a step fails.
 */
export async function initCliStack(stack: string, env: NodeJS.ProcessEnv, config: Record<string, string>, apiKey: string): Promise<void> {
  const run = (args: string[], input?: string): Promise<CommandResult> => runCommand("pulumi", [...args, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env, input });
  const steps: Array<[string[], string | undefined]> = [
    [["stack", "init"], undefined],
    ...Object.entries(config).map(([k, v]): [string[], undefined] => [["config", "set", k, v], undefined]),
    [["config", "set", "--secret", "docspace:apiKey"], apiKey],
  ];
  for (const [args, input] of steps) {
    const r = await run(args, input);
    if (r.code !== 0) throw new Error(`pulumi ${args.slice(0, 3).join(" ")} failed (exit ${r.code}): ${r.out.slice(-2000)}`);
  }
}

/** A provider host process, as Pulumi's engine starts one per run. */
export type Host = Awaited<ReturnType<typeof hostModule.ProviderHost.start>>;

/** A fresh provider host configured for `sim` with `key` (and any other stack config). */
export async function startHostFor(sim: Simulator, key: string, config: Record<string, string> = {}): Promise<Host> {
  const h = await hostModule.ProviderHost.start({ cwd: ROOT, env: HOST_ENV });
  await h.configure({ "docspace:url": sim.url, "docspace:apiKey": key, ...config });
  return h;
}

/** The simulator's record agrees: exactly these accounts removed, each by `tasksEach` task(s), no one else touched. */
export function expectRemovedExactly(sim: Simulator, ids: string[], tasksEach = 1): void {
  for (const id of ids) {
    const tasks = sim.portal.startedTasks.filter((t) => t.userId === id).length;
    if (tasks !== tasksEach) throw new Error(`${id}: ${tasks} tasks, expected ${tasksEach}`);
    if (sim.portal.liveUser(id) !== undefined) throw new Error(`${id} should be gone`);
  }
  const touched = [...new Set(sim.portal.statusChanges.flatMap((c) => c.userIds))].filter((id) => !ids.includes(id));
  if (touched.length > 0) throw new Error(`status changed for accounts not listed: ${touched.join(", ")}`);
  const removed = [...sim.portal.users.values()].filter((u) => u.removed).map((u) => u.id).sort();
  if (JSON.stringify(removed) !== JSON.stringify([...ids].sort())) throw new Error(`removed ${removed.join(", ")}; expected ${[...ids].sort().join(", ")}`);
  const others = sim.portal.startedTasks.filter((t) => !ids.includes(t.userId));
  if (others.length > 0) throw new Error(`tasks started for accounts not listed: ${others.map((t) => t.userId).join(", ")}`);
}

/** UserRemovals for `entries`, declared as a program would, and a provider host configured for `sim` with the owner's key. */
export async function removalsInHost(sim: Simulator, entries: Array<[string, Record<string, unknown>]>): Promise<{ resources: Awaited<ReturnType<typeof lifecycle.declareResources>>["resources"]; host: Host }> {
  const declared = await lifecycle.declareResources(() => entries.map(([name, args]) => new pkg.UserRemoval(name, args)));
  return { resources: declared.resources, host: await startHostFor(sim, KEYS.owner) };
}

/** A create that must fail: its error, as the host would see it (a partial record carries id and properties). */
export async function createFailure<E extends Error = Error & { id: string; properties: Record<string, unknown>; reasons: string[] }>(provider: { create(inputs: Record<string, unknown>): Promise<unknown> }, inputs: Record<string, unknown>): Promise<E> {
  try {
    await provider.create(inputs);
  } catch (e) {
    return e as E;
  }
  throw new Error("expected create to fail");
}

/** The end of an e2e file: its stack removed, its folder deleted, its simulator stopped. */
export async function dropCliStack(stack: string, env: NodeJS.ProcessEnv, dir: string, sim: Simulator | undefined): Promise<void> {
  await runCommand("pulumi", ["stack", "rm", "--yes", "--force", "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env });
  rmSync(dir, { recursive: true, force: true });
  await sim?.stop();
}

/** An offboarding file with `body`, in a fresh temporary folder; returns its path. */
export function offboardingFileWith(body: string, prefix = "offboarding-"): string {
  const path = join(mkdtempSync(join(tmpdir(), prefix)), "offboarding.yaml");
  writeFileSync(path, body);
  return path;
}

/**
 * The package folder as `npm pack` sees it after the `prepack` script's clean build: the
 * repository (without node_modules and .git) with the build `pretest` made (which has removed any
 * output whose source is gone: tools/prune-dist.mjs), copied to `dir`. Packing a copy leaves
 * ROOT/dist alone while other test files load it.
 */
export function stagePackage(dir: string): string {
  const keep = (src: string): boolean => !src.split(sep).includes("node_modules");
  for (const name of readdirSync(ROOT)) {
    if (name === "node_modules" || name === ".git" || name === ".demo") continue;
    cpSync(join(ROOT, name), join(dir, name), { recursive: true, filter: keep });
  }
  return dir;
}

/** `npm pack` of the staged package into `dest`, as a maintainer publishes it; returns the tarball's path. */
export async function packTarball(dest: string): Promise<string> {
  const staging = stagePackage(mkdtempSync(join(tmpdir(), "docspace-pack-")));
  try {
    const r = await runCommand("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dest], { cwd: staging });
    if (r.code !== 0) throw new Error(`npm pack failed (${r.code}): ${r.out}`);
    const [info] = JSON.parse(r.stdout) as Array<{ filename: string }>;
    return join(dest, info!.filename);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A real-CLI test's environment: a local file backend in `dir`, a passphrase, no update checks, quick polling. */
export function localBackendEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${dir}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    DOCSPACE_POLL_MIN_MS: "100",
    DOCSPACE_POLL_MAX_MS: "300",
    ...extra,
  };
}
