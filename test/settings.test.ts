/**
 * One reader for every setting (provider/settings-reader.ts): config docspace:X, else DOCSPACE_X,
 * else the default, with errors naming the setting a bad value came from; and the three places
 * that read settings (the providers' host settings, the program, the report command) all go by it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type * as ReaderModule from "../provider/settings-reader";
import type * as CliModule from "../provider/cli/report-command";
import { fromDist, hostSettings, KEYS, lifecycle, program, removalImpl, ROOT, startSimulator, usePortal, type Simulator } from "./helpers";

const reader = fromDist("provider/settings-reader.js") as typeof ReaderModule;
const cli = fromDist("provider/cli/report-command.js") as typeof CliModule;

const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe("the settings reader", () => {
  it("knows every setting docs/settings.md lists, each with its DOCSPACE_ variable", () => {
    const names = ["apiKey", "maxConcurrentRequests", "maxConcurrentWrites", "maxImpactReads", "maxRemovalsPerRun", "maxRetries", "maxRetryDelayMs", "offboardingFile", "pollMaxMs", "pollMinMs", "previewOnly", "rateWindowMs", "requestTimeoutMs", "requestsPerMinute", "summaryFile", "tasksPerQueue", "today", "unseenTaskHours", "url"];
    expect([...reader.SETTING_NAMES].sort()).toEqual(names.sort());
    // The table moved from the README to docs/settings.md (generated there by `npm run docs`).
    const documented = [...readFileSync(join(ROOT, "docs", "settings.md"), "utf8").matchAll(/^\| `docspace:(\w+)` \| `(DOCSPACE_\w+)` \|/gm)];
    expect(documented.map((m) => m[1]).sort()).toEqual(names.sort());
    for (const m of documented) expect(m[2]).toBe(reader.envName(m[1] as ReaderModule.SettingName));
    expect(reader.envName("maxRemovalsPerRun")).toBe("DOCSPACE_MAX_REMOVALS_PER_RUN");
    expect(reader.envName("url")).toBe("DOCSPACE_URL");
    expect(reader.envName("apiKey")).toBe("DOCSPACE_API_KEY");
  });

  it("takes config first, then the environment, then the default, for every setting alike", () => {
    const values: Record<string, [string, string, unknown, unknown, unknown]> = {
      // name: [config value, env value, parsed config, parsed env, default]
      url: ["https://a.example.com", "https://b.example.com", "https://a.example.com", "https://b.example.com", undefined],
      maxRemovalsPerRun: ["5", "7", 5, 7, 20],
      maxImpactReads: ["0", "3", 0, 3, 100],
      previewOnly: ["true", "no", true, false, false],
      today: ["2027-01-02", "2027-05-05", "2027-01-02", "2027-05-05", new Date().toISOString().slice(0, 10)],
      offboardingFile: ["a.yaml", "b.yaml", "a.yaml", "b.yaml", "offboarding.yaml"],
      summaryFile: ["s.md", "t.md", "s.md", "t.md", undefined],
      // The client limits default from the same table (docspace/settings.ts PORTAL_DEFAULTS).
      maxConcurrentWrites: ["3", "4", 3, 4, 15],
      requestTimeoutMs: ["9", "10", 9, 10, 30_000],
    };
    for (const [name, [fromConfig, fromEnv, parsedConfig, parsedEnv, fallback]] of Object.entries(values)) {
      const n = name as ReaderModule.SettingName;
      const env = { [reader.envName(n)]: fromEnv };
      expect(reader.readSetting(n, { config: config({ [`docspace:${name}`]: fromConfig }), env }), name).toEqual(parsedConfig);
      expect(reader.readSetting(n, { config: config({ [`docspace:${name}`]: "" }), env }), name).toEqual(parsedEnv);
      expect(reader.readSetting(n, { config: config({}), env: {} }), name).toEqual(fallback);
    }
  });

  it("names the setting a bad value came from, config key or environment variable", () => {
    expect(() => reader.readSetting("maxRemovalsPerRun", { config: config({ "docspace:maxRemovalsPerRun": "many" }), env: {} })).toThrow(
      'docspace:maxRemovalsPerRun must be a whole number of removals, 0 or more (got "many"). Set it with `pulumi config set docspace:maxRemovalsPerRun 50`.',
    );
    expect(() => reader.readSetting("maxRemovalsPerRun", { env: { DOCSPACE_MAX_REMOVALS_PER_RUN: "-1" } })).toThrow(/^DOCSPACE_MAX_REMOVALS_PER_RUN must be a whole number/);
    expect(() => reader.readSetting("today", { env: { DOCSPACE_TODAY: "2027-13-01" } })).toThrow(/^DOCSPACE_TODAY must be a date written YYYY-MM-DD/);
    expect(() => reader.readSetting("requestTimeoutMs", { config: config({ "docspace:requestTimeoutMs": "soon" }) })).toThrow(/^docspace:requestTimeoutMs must be a whole number of milliseconds/);
    // A typo must not turn a preview-only job into one that may write.
    expect(() => reader.readSetting("previewOnly", { env: { DOCSPACE_PREVIEW_ONLY: "ture" } })).toThrow(/^DOCSPACE_PREVIEW_ONLY must be true or false/);
    expect(() => reader.readSetting("url", { config: config({ "docspace:url": "x" }), configLabel: (n) => `--${n}` })).not.toThrow();
    expect(() => reader.readSetting("today", { config: config({ "docspace:today": "monday" }), configLabel: (n) => `--${n}` })).toThrow(/^--today must be/);
  });

  it("reads every setting at once; the portal settings carry the limits", () => {
    const all = reader.readSettings({ config: config({ "docspace:url": "https://a.example.com", "docspace:maxConcurrentWrites": "2" }), env: { DOCSPACE_API_KEY: "sk-settings-test", DOCSPACE_MAX_RETRIES: "1" } });
    expect(all).toMatchObject({ url: "https://a.example.com", apiKey: "sk-settings-test", maxConcurrentWrites: 2, maxRetries: 1, maxRemovalsPerRun: 20, previewOnly: false, maxImpactReads: 100, offboardingFile: "offboarding.yaml" });
    expect(reader.portalSettings({ config: config({ "docspace:url": "https://a.example.com" }), env: { DOCSPACE_API_KEY: "k", DOCSPACE_REQUEST_TIMEOUT_MS: "9" } })).toEqual({ url: "https://a.example.com", apiKey: "k", requestTimeoutMs: 9 });
  });
});

describe("every reader of settings goes by the one rule", () => {
  let s: Simulator;
  const saved = { ...process.env };
  beforeAll(async () => {
    s = await startSimulator();
  });
  afterAll(async () => s.stop());
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith("DOCSPACE_") && !(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    removalImpl.resetRunGuard();
  });

  it("the providers: stack config first, then the environment", () => {
    usePortal(s.url, KEYS.owner, { DOCSPACE_MAX_REMOVALS_PER_RUN: "7", DOCSPACE_TODAY: "2027-05-05", DOCSPACE_PREVIEW_ONLY: "yes" });
    const settings = new hostSettings.HostSettings();
    expect([settings.maxRemovalsPerRun(), settings.scheduleDay(), settings.previewOnly()]).toEqual([7, "2027-05-05", true]);
    settings.configure(config({ "docspace:maxRemovalsPerRun": "3", "docspace:today": "2027-01-02", "docspace:previewOnly": "false" }));
    expect([settings.maxRemovalsPerRun(), settings.scheduleDay(), settings.previewOnly()]).toEqual([3, "2027-01-02", false]);
  });

  it("a bad portal URL or key is reported under the name it came from: DOCSPACE_URL from the environment, docspace:url from the stack", () => {
    usePortal("ftp://portal.example.com", KEYS.owner);
    const settings = new hostSettings.HostSettings();
    expect(() => settings.portalClient()).toThrow(/^DOCSPACE_URL must start with https:\/\//);
    settings.configure(config({ "docspace:url": "https://portal.example.com/some/path" }));
    expect(() => settings.portalClient()).toThrow(/^docspace:url must be the portal's address only/);
    usePortal(s.url, "Bearer sk-abc");
    expect(() => new hostSettings.HostSettings().portalClient()).toThrow(/^DOCSPACE_API_KEY must be the key alone/);
    const stack = new hostSettings.HostSettings();
    stack.configure(config({ "docspace:apiKey": "Bearer sk-abc" }));
    expect(() => stack.portalClient()).toThrow(/^docspace:apiKey must be the key alone/);
    // The reader's own view of the portal settings names the source too.
    expect(() => reader.portalSettings({ env: { DOCSPACE_URL: "http://portal.example.com" } })).toThrow(/^DOCSPACE_URL uses http:\/\/ for portal\.example\.com/);
    expect(() => reader.portalSettings({ config: config({ "docspace:url": "not a url" }) })).toThrow(/^docspace:url is not a valid URL/);
  });

  it("the program: the client limits come from the environment too, and a bad one names its variable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "settings-"));
    writeFileSync(join(dir, "offboarding.yaml"), "version: 1\nremovals:\n  - email: jane.doe@example.com\n");
    usePortal(s.url, KEYS.owner, { DOCSPACE_REQUEST_TIMEOUT_MS: "soon" });
    await expect(lifecycle.declareResources(() => program.defineOffboarding({ baseDir: dir }))).rejects.toThrow(/^DOCSPACE_REQUEST_TIMEOUT_MS must be a whole number of milliseconds/);
  });

  it("the program: a bad DOCSPACE_URL is named as DOCSPACE_URL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "settings-"));
    writeFileSync(join(dir, "offboarding.yaml"), "version: 1\nremovals:\n  - email: jane.doe@example.com\n");
    usePortal("https://portal.example.com/api/2.0", KEYS.owner);
    await expect(lifecycle.declareResources(() => program.defineOffboarding({ baseDir: dir }))).rejects.toThrow(/^DOCSPACE_URL must be the portal's address only/);
  });

  it("the program: DOCSPACE_OFFBOARDING_FILE names the file when the stack config does not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "settings-"));
    writeFileSync(join(dir, "other.yaml"), "version: 1\nremovals:\n  - email: jane.doe@example.com\n");
    usePortal(s.url, KEYS.owner, { DOCSPACE_OFFBOARDING_FILE: "other.yaml" });
    const { result } = await lifecycle.declareResources(() => program.defineOffboarding({ baseDir: dir }));
    expect((result as { offboardingFile: string }).offboardingFile).toBe("other.yaml");
  });

  it("the report command: the same variables, named in its errors", async () => {
    const out = { stdout: "", stderr: "" };
    const io = {
      stdout: (t: string) => void (out.stdout += t),
      stderr: (t: string) => void (out.stderr += t),
      stderrIsTTY: false,
      env: { DOCSPACE_URL: s.url, DOCSPACE_API_KEY: KEYS.owner, DOCSPACE_MAX_CONCURRENT_WRITES: "lots" },
      cwd: mkdtempSync(join(tmpdir(), "settings-")),
    };
    expect(await cli.run(["report", "--today", "2026-11-30"], io)).toBe(1);
    expect(out.stderr).toMatch(/DOCSPACE_MAX_CONCURRENT_WRITES must be a whole number from 1 to 1000/);
    expect(out.stderr).not.toContain(KEYS.owner);
  });
});
