/**
 * What `npm pack` publishes: the provider (compiled JavaScript and type declarations), the
 * offboarding file's JSON Schema, README and the docs/ it links to, LICENSE and package.json, and nothing else: no
 * simulator (it holds seeded API keys and seed data), no tools, no tests. Packed from a staged
 * copy of the repository (see stagePackage in ./helpers), as the `prepack` clean build leaves it.
 * And what a new user on the newest toolchain does with the tarball: a fresh project on Node 24
 * installs it beside the newest @pulumi/pulumi, without flags and without npm asking to approve
 * an install script of this package.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, packTarball, ROOT, runCommand, stagePackage } from "./helpers";

// The implementation subpaths the providers stored by 0.1 call, and the dispatch the stored provider called next (issue 17); it now calls ./dispatch.
/** The subpaths state written by earlier versions requires, each with the file that answers it in this release. */
const STABLE_SUBPATHS: Record<string, string> = {
  "./dist/provider/resources/user-removal-impl.js": "./dist/provider/resources/user-removal/methods.js",
  "./dist/provider/resources/self-delete-impl.js": "./dist/provider/resources/self-delete/methods.js",
  "./dist/provider/resources/account-suspension-impl.js": "./dist/provider/resources/account-suspension/methods.js",
  "./dist/provider/resources/dispatch.js": "./dist/provider/resources/host/dispatch.js",
};
const IMPL_SUBPATHS = Object.keys(STABLE_SUBPATHS);
const TOP_LEVEL = ["LICENSE", "README.md", "offboarding.schema.json", "package.json"];
/** The reference the README links to (docs/*.md), so that its links work in an install. */
const DOCS = readdirSync(join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`);

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
  it("packs exactly the provider's JavaScript and declarations, the schema, README, docs/*.md, LICENSE and package.json", () => {
    const expected = [...TOP_LEVEL, ...DOCS, ...providerSources().flatMap((s) => [`dist/${s}.js`, `dist/${s}.d.ts`])].sort();
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
    // Not inside a word: the docs' anchor "#a-task-docspace-does-not-show" holds "sk-docspace-…", which is no key.
    const keyShaped = /(?<![A-Za-z0-9])sk-[A-Za-z0-9][A-Za-z0-9_-]{6,}/;
    for (const f of files) {
      const text = readFileSync(join(staging, f), "utf8");
      // settings.js names the prefix in an error message ("DocSpace keys start with "sk-""); that is not a key.
      expect(text.match(keyShaped)?.[0], f).toBeUndefined();
      for (const key of Object.values(KEYS)) expect(text.includes(key), `${f} contains ${key}`).toBe(false);
    }
  });

  it("packs the two implementation subpaths that serialized providers in users' state require, and LICENSE", () => {
    for (const p of IMPL_SUBPATHS) expect(files).toContain(STABLE_SUBPATHS[p]!.slice(2));
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
    expect(Object.keys(manifest.exports).sort()).toEqual([".", "./dispatch", ...IMPL_SUBPATHS, "./package.json"].sort());
    for (const p of IMPL_SUBPATHS) expect(manifest.exports[p]).toBe(STABLE_SUBPATHS[p]);
    // The short name the stored provider calls since it shrank (issue 17), for the same file.
    expect(manifest.exports["./dispatch"]).toBe("./dist/provider/resources/host/dispatch.js");
    expect(manifest.peerDependencies?.["@pulumi/pulumi"]).toBeDefined();
    expect(manifest.dependencies?.["@pulumi/pulumi"]).toBeUndefined();
    expect(manifest.devDependencies?.["pulumi-docspace"]).toBeUndefined();
    // The supported range (docs/supported-versions.md): Node 20 (oldest end, tested by `npm test`)
    // to 24 (newest end, `npm run e2e:latest`), and every @pulumi/pulumi 3.x from 3.248.0 on.
    expect(manifest.engines?.node).toBe(">=20");
    expect(manifest.peerDependencies?.["@pulumi/pulumi"]).toBe("^3.248.0");
    // `prepare` would run on installs from git or a folder, and npm 11 asks users to approve it; `prepack` builds the tarball.
    expect(Object.keys((manifest as { scripts?: Record<string, string> }).scripts ?? {})).not.toContain("prepare");

    // What this version's providers require by name is what the package exports: the dispatch. The
    // other subpaths are required by providers stored by earlier versions (test/fixtures/old-state).
    const required = ["host/in-process-provider.js", "host/stored-provider.js"].flatMap((f) =>
      [...readFileSync(join(staging, "dist/provider/resources", f), "utf8").matchAll(/"pulumi-docspace(\/[^"]+)"/g)].map((m) => `.${m[1]}`),
    );
    expect([...new Set(required)]).toEqual(["./dispatch"]);
    for (const kind of ["user-removal", "account-suspension", "self-delete"]) {
      const old = readFileSync(join(ROOT, "test", "fixtures", "old-state", `${kind}.provider.txt`), "utf8");
      const names = [...old.matchAll(/"pulumi-docspace(\/[^"]+)"/g)].map((m) => `.${m[1]}`);
      for (const n of names) expect(IMPL_SUBPATHS, `${kind}'s old provider requires ${n}`).toContain(n);
    }

    // The same through Node's resolution (package self-reference from the repository root).
    const nodeRequire = createRequire(join(ROOT, "package.json"));
    for (const p of IMPL_SUBPATHS) expect(nodeRequire.resolve(`pulumi-docspace/${p.slice(2)}`)).toBe(join(ROOT, STABLE_SUBPATHS[p]!));
    expect(nodeRequire.resolve("pulumi-docspace/dispatch")).toBe(join(ROOT, "dist/provider/resources/host/dispatch.js"));
    expect(() => nodeRequire.resolve("pulumi-docspace/dist/simulator/server.js")).toThrow(/not defined by "exports"/);
  });
});

describe("a fresh project on the newest toolchain", () => {
  let dir: string;
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it("Node 24: `npm install @pulumi/pulumi@latest ./pulumi-docspace-*.tgz` succeeds without flags, asks to approve no install script of this package, and the package loads", async () => {
    // Node 24 from the npm registry's `node` package, cached under ~/.cache (tools/node.sh).
    const node = await runCommand("bash", [join(ROOT, "tools", "node.sh"), "24"]);
    expect(node.code, node.out).toBe(0);
    const nodeBin = node.stdout.trim().split("\n").pop()!;
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}` };

    dir = mkdtempSync(join(tmpdir(), "docspace-fresh-"));
    const project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "fresh-offboarding", version: "1.0.0", private: true }, null, 2) + "\n");
    const tarball = await packTarball(dir);
    copyFileSync(tarball, join(project, basename(tarball)));
    expect(basename(tarball)).toMatch(/^pulumi-docspace-.*\.tgz$/);

    const r = await runCommand("npm", ["install", "@pulumi/pulumi@latest", `./${basename(tarball)}`], { cwd: project, env });
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/ERESOLVE|EBADENGINE|peer dep/i);
    // npm 11 lists every package whose install scripts it was not allowed to run ("install-scripts").
    expect(r.out.split("\n").filter((l) => /install-scripts/.test(l) && /pulumi-docspace/.test(l))).toEqual([]);

    const latest = await runCommand("npm", ["view", "@pulumi/pulumi@latest", "version"], { cwd: project, env });
    expect(latest.code, latest.out).toBe(0);
    const loaded = await runCommand(
      "node",
      ["-e", 'const p = require("pulumi-docspace"); console.log(process.version, require("@pulumi/pulumi/package.json").version, typeof p.UserRemoval)'],
      { cwd: project, env },
    );
    expect(loaded.code, loaded.out).toBe(0);
    const [nodeVersion, sdkVersion, userRemoval] = loaded.stdout.trim().split(" ");
    expect(nodeVersion).toMatch(/^v24\./);
    expect(sdkVersion).toBe(latest.stdout.trim());
    expect(userRemoval).toBe("function");
  }, 600_000);
});
