/**
 * What `npm pack` publishes: the provider (compiled JavaScript and type declarations), the
 * offboarding file's JSON Schema, README, LICENSE and package.json, and nothing else: no
 * simulator (it holds seeded API keys and seed data), no tools, no tests. Packed from a staged
 * copy of the repository (see stagePackage in ./helpers), as the `prepack` clean build leaves it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, ROOT, runCommand, stagePackage } from "./helpers";

// The implementation subpaths the providers stored by 0.1 call, and the one dispatch the stored provider calls since (issue 17).
const IMPL_SUBPATHS = ["./dist/provider/resources/user-removal-impl.js", "./dist/provider/resources/self-delete-impl.js", "./dist/provider/resources/account-suspension-impl.js", "./dist/provider/resources/dispatch.js"];
const TOP_LEVEL = ["LICENSE", "README.md", "offboarding.schema.json", "package.json"];

let staging: string;
let files: string[];

beforeAll(async () => {
  staging = stagePackage(mkdtempSync(join(tmpdir(), "docspace-pack-")));
  const r = await runCommand("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: staging });
  expect(r.code, r.out).toBe(0);
  const [info] = JSON.parse(r.stdout) as Array<{ name: string; files: Array<{ path: string }> }>;
  expect(info!.name).toBe("pulumi-docspace");
  files = info!.files.map((f) => f.path).sort();
}, 120_000);

afterAll(() => rmSync(staging, { recursive: true, force: true }));

/** provider/**\/*.ts, relative to ROOT, without the extension. */
function providerSources(dir = join(ROOT, "provider")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return providerSources(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [relative(ROOT, path).replace(/\.ts$/, "")] : [];
  });
}

describe("npm pack", () => {
  it("packs exactly the provider's JavaScript and declarations, the schema, README, LICENSE and package.json", () => {
    const expected = [...TOP_LEVEL, ...providerSources().flatMap((s) => [`dist/${s}.js`, `dist/${s}.d.ts`])].sort();
    expect(files).toEqual(expected);
  });

  it("packs no simulator, seed data, tools or tests", () => {
    for (const f of files) {
      expect(f).not.toMatch(/(^|\/)(simulator|tools|test|examples)\//);
      expect(f).not.toMatch(/seed\.json$/);
    }
    expect(files.some((f) => f.startsWith("dist/provider/"))).toBe(true);
  });

  it("packs no API key: no sk-… key in any packed file", () => {
    const keyShaped = /sk-[A-Za-z0-9][A-Za-z0-9_-]{6,}/;
    for (const f of files) {
      const text = readFileSync(join(staging, f), "utf8");
      // settings.js names the prefix in an error message ("DocSpace keys start with "sk-""); that is not a key.
      expect(text.match(keyShaped)?.[0], f).toBeUndefined();
      for (const key of Object.values(KEYS)) expect(text.includes(key), `${f} contains ${key}`).toBe(false);
    }
  });

  it("packs the two implementation subpaths that serialized providers in users' state require, and LICENSE", () => {
    for (const p of IMPL_SUBPATHS) expect(files).toContain(p.slice(2));
    expect(files).toContain("LICENSE");
    expect(readFileSync(join(staging, "LICENSE"), "utf8")).toContain("Apache License");
  });

  it("exports by name the root, package.json and exactly the subpaths the shims require", () => {
    const manifest = JSON.parse(readFileSync(join(staging, "package.json"), "utf8")) as {
      license: string;
      exports: Record<string, unknown>;
      peerDependencies?: Record<string, string>;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      engines?: Record<string, string>;
    };
    expect(manifest.license).toBe("Apache-2.0");
    expect(Object.keys(manifest.exports).sort()).toEqual([".", ...IMPL_SUBPATHS, "./package.json"].sort());
    for (const p of IMPL_SUBPATHS) expect(manifest.exports[p]).toBe(p);
    expect(manifest.peerDependencies?.["@pulumi/pulumi"]).toBeDefined();
    expect(manifest.dependencies?.["@pulumi/pulumi"]).toBeUndefined();
    expect(manifest.devDependencies?.["pulumi-docspace"]).toBeUndefined();
    expect(manifest.engines?.node).toBe(">=20 <21");

    // What the compiled shims require is what the package exports.
    const required = ["user-removal.js", "self-delete-request.js", "account-suspension.js", "stored-provider.js"].flatMap((f) =>
      [...readFileSync(join(staging, "dist/provider/resources", f), "utf8").matchAll(/"pulumi-docspace(\/[^"]+)"/g)].map((m) => `.${m[1]}`),
    );
    expect(required.sort()).toEqual([...IMPL_SUBPATHS].sort());

    // The same through Node's resolution (package self-reference from the repository root).
    const nodeRequire = createRequire(join(ROOT, "package.json"));
    for (const p of IMPL_SUBPATHS) expect(nodeRequire.resolve(`pulumi-docspace/${p.slice(2)}`)).toBe(join(ROOT, p));
    expect(() => nodeRequire.resolve("pulumi-docspace/dist/simulator/server.js")).toThrow(/not defined by "exports"/);
  });
});
