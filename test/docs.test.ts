/**
 * The docs kept true by construction: the generated tables of docs/ are what `npm run docs`
 * (tools/generate-docs.ts) writes from the zod schema and the settings table, as
 * offboarding.schema.json is what `npm run schema` writes; and every relative link of README.md
 * and docs/*.md points at a file (and a heading) that exists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type * as GeneratorModule from "../tools/generate-docs";
import type * as ReaderModule from "../provider/settings-reader";
import { fromDist, pkg, ROOT } from "./helpers";

const generator = fromDist("tools/generate-docs.js") as typeof GeneratorModule;
const reader = fromDist("provider/settings-reader.js") as typeof ReaderModule;

const DOCS = join(ROOT, "docs");
const MARKDOWN = [join(ROOT, "README.md"), ...readdirSync(DOCS).filter((f) => f.endsWith(".md")).map((f) => join(DOCS, f))];

/** The rows of the generated block `name` in `file`, each split into its cells. */
function generatedRows(file: string, name: string): string[][] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const block = text.slice(text.indexOf(`<!-- BEGIN GENERATED ${name}:`), text.indexOf(`<!-- END GENERATED ${name} -->`));
  return block
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

describe("the generated tables of docs/", () => {
  it("are what `npm run docs` writes from the zod schema and the settings table (run it after changing either)", () => {
    const docs = generator.generatedDocs(ROOT);
    expect(docs.map((d) => d.file).sort()).toEqual(["docs/offboarding-file.md", "docs/settings.md"]);
    for (const d of docs) expect(d.onDisk, `${d.file} differs from what \`npm run docs\` writes: run it and commit the result`).toBe(d.expected);
  });

  it("the settings table has a row for every setting the reader knows, with its DOCSPACE_ variable, and no other", () => {
    const rows = generatedRows("docs/settings.md", "settings");
    expect(rows.map((r) => r[0])).toEqual(reader.SETTING_NAMES.map((n) => `\`docspace:${n}\``));
    expect(rows.map((r) => r[1])).toEqual(reader.SETTING_NAMES.map((n) => `\`${reader.envName(n)}\``));
    for (const r of rows) {
      expect(r[2], `${r[0]}: default`).not.toBe("");
      expect(r[4], `${r[0]}: meaning`).not.toBe("");
    }
    const byName = Object.fromEntries(rows.map((r) => [r[0], r]));
    // The defaults the reader and the client really apply, spot-checked against the code's own values.
    expect(byName["`docspace:maxRemovalsPerRun`"]![2]).toBe("`20`");
    expect(byName["`docspace:tasksPerQueue`"]![2]).toBe("`1`");
    expect(byName["`docspace:unseenTaskHours`"]![2]).toBe("`24`");
    expect(byName["`docspace:pollMinMs`"]![2]).toBe("`1000`");
    expect(byName["`docspace:pollMaxMs`"]![2]).toBe("`10000`");
    expect(byName["`docspace:requestsPerMinute`"]![2]).toBe("`1500`");
    expect(byName["`docspace:maxConcurrentWrites`"]![2]).toBe("`15`");
  });

  it("the key table has a row for every key of the file, top, defaults and entry, each with its schema description", () => {
    const rows = generatedRows("docs/offboarding-file.md", "file-keys");
    const schema = pkg.offboardingJsonSchema() as {
      properties: Record<string, { properties?: Record<string, { description?: string }>; items?: { properties: Record<string, { description?: string }> } }>;
    };
    const expected = [
      ...Object.keys(schema.properties).map((k) => [k, "top"]),
      ...Object.keys(schema.properties.defaults!.properties!).map((k) => [k, "`defaults`"]),
      ...Object.keys(schema.properties.removals!.items!.properties).map((k) => [k, "entry"]),
    ];
    expect(rows.map((r) => [r[0]!.replace(/`/g, ""), r[1]])).toEqual(expected);
    for (const [key, d] of Object.entries(schema.properties.removals!.items!.properties)) {
      expect(rows.find((r) => r[0] === `\`${key}\`` && r[1] === "entry")![3]).toBe(d.description!.replace(/\|/g, "\\|"));
    }
  });

  it("refuses to write a settings table with a setting it has no meaning for, or a meaning for a setting that does not exist", () => {
    const saved = generator.SETTING_MEANINGS.pollMaxMs!;
    try {
      delete generator.SETTING_MEANINGS.pollMaxMs;
      expect(() => generator.settingsTable()).toThrow(/the setting pollMaxMs has no meaning in SETTING_MEANINGS/);
      generator.SETTING_MEANINGS.pollMaxMs = saved;
      generator.SETTING_MEANINGS.noSuchSetting = { meaning: "x" };
      expect(() => generator.settingsTable()).toThrow(/names settings the settings table does not have: noSuchSetting/);
    } finally {
      generator.SETTING_MEANINGS.pollMaxMs = saved;
      delete generator.SETTING_MEANINGS.noSuchSetting;
    }
  });

  it("refuses to write a file whose markers are missing, naming them", () => {
    expect(() => generator.withBlock("# Settings\n", "docs/settings.md", "settings", "x", "| a |")).toThrow(/markers of the generated block settings are missing/);
    const begin = generator.beginMarker("settings", "x");
    const end = generator.endMarker("settings");
    expect(generator.withBlock(`a\n${begin}\nold\n${end}\nb\n`, "f", "settings", "x", "new")).toBe(`a\n${begin}\nnew\n${end}\nb\n`);
  });
});

/** GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*_]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");
}

/** A markdown file without its fenced code blocks and inline code (links there are not links). */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "``");
}

/** The anchors of a file's headings (outside code blocks; inline code keeps its text, as on GitHub), repeats numbered. */
function headingAnchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/^```[\s\S]*?^```/gm, "");
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe("the links of README.md and docs/", () => {
  it("docs/ has its index, and the README links to it and to every file in docs/", () => {
    expect(existsSync(join(DOCS, "README.md"))).toBe(true);
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const index = readFileSync(join(DOCS, "README.md"), "utf8");
    for (const f of readdirSync(DOCS).filter((f) => f.endsWith(".md") && f !== "README.md")) {
      expect(index, `docs/README.md does not list ${f}`).toContain(`](${f})`);
    }
    expect(readme).toContain("](docs/README.md)");
  });

  it("every relative link resolves to an existing file, and every #anchor to a heading of its file", () => {
    const broken: string[] = [];
    let count = 0;
    for (const file of MARKDOWN) {
      for (const m of prose(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        count++;
        const [path, anchor] = target.split("#") as [string, string | undefined];
        const resolved = path === "" ? file : join(dirname(file), decodeURIComponent(path));
        const where = `${relative(ROOT, file)}: ${target}`;
        if (!existsSync(resolved)) {
          broken.push(`${where} (no such file)`);
          continue;
        }
        if (anchor !== undefined && (!resolved.endsWith(".md") || statSync(resolved).isDirectory() || !headingAnchors(resolved).has(anchor))) {
          broken.push(`${where} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(count).toBeGreaterThan(30);
  });

  it("the anchors are GitHub's", () => {
    expect(slug("Who else should be here? `npx pulumi-docspace report`")).toBe("who-else-should-be-here-npx-pulumi-docspace-report");
    expect(slug("What preview refuses (read-only: it never writes)")).toBe("what-preview-refuses-read-only-it-never-writes");
    expect(slug("The real Pulumi CLI, and its limits here")).toBe("the-real-pulumi-cli-and-its-limits-here");
    expect(headingAnchors(join(DOCS, "safety-model.md")).has("the-key")).toBe(true);
  });
});
