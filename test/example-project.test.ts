/**
 * examples/offboarding as a user's own project: the package installed from its `npm pack` tarball
 * the way a user's would be (a real copy in node_modules, one @pulumi/pulumi), its program run under
 * mocks with the example's own SDK, and the serialized provider run in Pulumi's provider host with
 * the example as its working directory. Skipped, with the reason, where the npm registry is
 * unreachable. test/e2e-examples.test.ts runs the examples with the real CLI.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostModule, KEYS, packTarball, ROOT, runCommand, startSimulator, type Simulator } from "./helpers";

const work = mkdtempSync(join(tmpdir(), "docspace-example-"));
const dir = join(work, "project");
let installError: string | undefined;

beforeAll(async () => {
  cpSync(join(ROOT, "examples", "offboarding"), dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  // A user's project does not have the repository's `file:../..` link: the tarball stands in for the registry.
  const pkgPath = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { dependencies: Record<string, string> };
  delete pkg.dependencies["pulumi-docspace"];
  delete pkg.dependencies["@pulumi/pulumi"];
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));
  const tarball = await packTarball(work);
  const npm = await runCommand("npm", ["install", tarball, "@pulumi/pulumi@3.248.0", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir });
  if (npm.code !== 0) installError = `npm install failed (${npm.code}): ${npm.out.split("\n").filter((l) => !l.includes("nodedir")).slice(-3).join(" ")}`;
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("examples/offboarding as a user's project", () => {
  let s: Simulator;
  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 300 });
  });
  afterAll(async () => s.stop());

  it("installs the package from its tarball as a copy with a single Pulumi SDK, declares its entries and removes them through the host", async (ctx) => {
    if (installError) {
      console.log(`example-project: skipped: ${installError}`);
      ctx.skip();
    }
    const ls = await runCommand("npm", ["ls", "@pulumi/pulumi", "--parseable"], { cwd: dir });
    expect(ls.stdout.trim().split("\n").filter((l) => l.endsWith("@pulumi/pulumi"))).toHaveLength(1);

    const exRequire = createRequire(join(dir, "index.js"));
    const pulumi = exRequire("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const declared: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];
    const cwd = process.cwd();
    const env = { url: process.env.DOCSPACE_URL, key: process.env.DOCSPACE_API_KEY };
    // The program looks at the whole file through the portal before it declares anything.
    process.env.DOCSPACE_URL = s.url;
    process.env.DOCSPACE_API_KEY = KEYS.owner;
    process.chdir(dir);
    try {
      await pulumi.runtime.setMocks(
        {
          newResource: (a) => {
            declared.push({ type: a.type, name: a.name, inputs: a.inputs as Record<string, unknown> });
            return { id: a.name, state: a.inputs };
          },
          call: (a) => a.inputs as Record<string, unknown>,
        },
        "docspace-offboarding-example",
        "dev",
        false,
      );
      exRequire("./index.js");
      for (let i = 0; i < 200 && declared.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.chdir(cwd);
      if (env.url === undefined) delete process.env.DOCSPACE_URL;
      else process.env.DOCSPACE_URL = env.url;
      if (env.key === undefined) delete process.env.DOCSPACE_API_KEY;
      else process.env.DOCSPACE_API_KEY = env.key;
    }
    expect(declared.map((d) => d.name).sort()).toEqual(["9924256a-739c-462b-af15-e652a3b1b6eb", "admin.bob@example.com", "jane.doe@example.com"]);

    const host = await hostModule.ProviderHost.start({ cwd: dir, env: { DOCSPACE_URL: "", DOCSPACE_API_KEY: "", DOCSPACE_POLL_MIN_MS: "50", DOCSPACE_POLL_MAX_MS: "200" } });
    try {
      await host.configure({ "docspace:url": s.url, "docspace:apiKey": KEYS.owner });
      for (const d of declared) {
        const urn = hostModule.urnFor(d.type, d.name, "docspace-offboarding-example");
        const checked = await host.check(urn, undefined, d.inputs);
        expect(checked.failures).toEqual([]);
        const created = await host.create(urn, checked.inputs);
        expect(created.properties.status).toBe("Completed");
      }
    } finally {
      await host.stop();
    }
    expect(s.portal.startedTasks).toHaveLength(3);
  });
});
