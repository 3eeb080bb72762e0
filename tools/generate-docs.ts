/**
 * Writes the generated tables of docs/ (`npm run docs`), between their markers:
 * - docs/offboarding-file.md: every key of the offboarding file, from the zod schema
 *   (provider/offboarding/schema.ts, through the JSON Schema made from it): where it goes, its
 *   value, and its `.describe()` text;
 * - docs/settings.md: every setting, from the settings table (provider/settings-reader.ts
 *   SPECS): its config key, environment variable, default and accepted values, with the one-line
 *   meaning kept here (SETTING_MEANINGS).
 * test/docs.test.ts fails when a docs file differs from what this would write, as
 * test/offboarding-file.test.ts does for offboarding.schema.json.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { offboardingJsonSchema } from "../provider/offboarding/json-schema";
import { envName, SETTING_NAMES, SPECS, type SettingName } from "../provider/settings-reader";

/** The repository (this file runs from dist/tools). */
export const ROOT = join(__dirname, "..", "..");

/**
 * What each setting is for, one line each, keyed by the setting's name. `default` is written
 * only where the settings table's default cannot say it itself (required, none, computed).
 * Links are relative to docs/settings.md.
 */
export const SETTING_MEANINGS: Record<string, { meaning: string; default?: string }> = {
  url: { meaning: "the portal, `https://…` (plain `http://` only for localhost)", default: "(required)" },
  apiKey: { meaning: "the API key; set it with `--secret` (see [The key](safety-model.md#the-key))", default: "(required)" },
  offboardingFile: { meaning: "the file, relative to the project" },
  maxRemovalsPerRun: { meaning: "the guard against mass removal ([the per-run limit](safety-model.md#the-per-run-limit))" },
  maxConcurrentRequests: { meaning: "requests in flight to the portal from one run" },
  maxConcurrentWrites: { meaning: "writes in flight (DocSpace's default limit)" },
  requestsPerMinute: { meaning: "DocSpace's default rate limit" },
  rateWindowMs: { meaning: "the window `requestsPerMinute` counts over" },
  requestTimeoutMs: { meaning: "per request" },
  maxRetries: { meaning: "retries of a read or an idempotent write (429, 5xx, a lost answer); a start is retried only on 429, which DocSpace answers before doing anything" },
  maxRetryDelayMs: { meaning: "the longest wait between retries, `Retry-After` included" },
  tasksPerQueue: { meaning: "tasks this process keeps in flight per DocSpace queue (remove, reassign); DocSpace runs one at a time, so raise it only for a portal with several server processes; an entry's `timeoutSeconds` counts from its turn" },
  unseenTaskHours: { meaning: "how long a task this stack started, that DocSpace does not show, is treated as possibly still queued; no second task is started for that account meanwhile" },
  pollMinMs: { meaning: "how often a followed task is polled: the shortest wait between two looks" },
  pollMaxMs: { meaning: "how often a followed task is polled: the longest wait between two looks (never below `pollMinMs`)" },
  summaryFile: { meaning: "write the markdown impact summary here (relative to the project), e.g. for a pull-request comment", default: "(none)" },
  maxImpactReads: { meaning: "how many planned accounts the impact report reads per run (`0`: no report)" },
  previewOnly: { meaning: "`true`: plan with a read-only key and refuse every start (the pull-request job); anything but `true`/`false` (or `1`/`0`, `yes`/`no`) is refused" },
  today: { meaning: '"today" for `removeAfter` dates: for tests and rehearsals only; it is stack config, so it shows in review', default: "the UTC date" },
};

/** A table cell: one line, no bare pipe. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}

function code(v: unknown): string {
  return `\`${String(v)}\``;
}

/** The default a setting takes when neither config nor environment gives it: the settings table's own (SPECS). */
function defaultOf(name: SettingName): string {
  const given = SETTING_MEANINGS[name]?.default;
  if (given !== undefined) return given;
  const spec = SPECS[name] as { fallback?: unknown };
  if (spec.fallback === undefined) throw new Error(`tools/generate-docs.ts: no default found for the setting ${name}; give it one in the settings table, or say it in SETTING_MEANINGS.${name}.default`);
  if (typeof spec.fallback === "function") throw new Error(`tools/generate-docs.ts: the setting ${name} has a computed default; say it in SETTING_MEANINGS.${name}.default`);
  return code(spec.fallback);
}

/** The settings table of docs/settings.md. */
export function settingsTable(): string {
  const unknown = Object.keys(SETTING_MEANINGS).filter((n) => !(SETTING_NAMES as string[]).includes(n));
  if (unknown.length > 0) throw new Error(`tools/generate-docs.ts: SETTING_MEANINGS names settings the settings table does not have: ${unknown.join(", ")}`);
  const rows = SETTING_NAMES.map((name) => {
    const doc = SETTING_MEANINGS[name];
    if (doc === undefined) throw new Error(`tools/generate-docs.ts: the setting ${name} has no meaning in SETTING_MEANINGS; add one line for docs/settings.md`);
    const spec: { expected: string } = SPECS[name];
    return `| ${code(`docspace:${name}`)} | ${code(envName(name))} | ${cell(defaultOf(name))} | ${cell(spec.expected || "text")} | ${cell(doc.meaning)} |`;
  });
  return ["| setting | environment variable | default | accepted | meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}

interface JsonNode {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  description?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  properties?: Record<string, JsonNode>;
  items?: JsonNode;
}

/** Keys the schema accepts without a `.describe()`: what the table says about them. */
const UNDESCRIBED: Record<string, string> = {
  $schema: "Optional; not used by the tool. Editors find the JSON Schema through the `yaml-language-server` comment in the example above.",
};

function words(list: unknown[]): string {
  const shown = list.map(code);
  return shown.length > 1 ? `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1]}` : (shown[0] ?? "");
}

/** What a value looks like, from its JSON Schema node. */
function valueOf(n: JsonNode): string {
  if (n.const !== undefined) return code(n.const);
  if (n.enum) return words(n.enum);
  switch (n.type) {
    case "boolean":
      return "`true` or `false`";
    case "integer":
      return n.minimum !== undefined && n.maximum !== undefined ? `whole number, ${n.minimum} to ${n.maximum}` : "whole number";
    case "string":
      return n.maxLength !== undefined ? `text, at most ${n.maxLength} characters` : "text";
    case "array":
      return n.maxItems !== undefined ? `list, at most ${n.maxItems} items` : "list";
    case "object":
      return "mapping";
    default:
      return n.type ?? "any";
  }
}

/** The key table of docs/offboarding-file.md: every key the zod schema accepts, with its `.describe()` text. */
export function fileKeyTable(): string {
  const top = offboardingJsonSchema() as JsonNode;
  const sections: Array<[string, Record<string, JsonNode>]> = [
    ["top", top.properties ?? {}],
    ["`defaults`", top.properties?.defaults?.properties ?? {}],
    ["entry", top.properties?.removals?.items?.properties ?? {}],
  ];
  const rows = sections.flatMap(([where, props]) =>
    Object.entries(props).map(([key, node]) => {
      const meaning = node.description ?? UNDESCRIBED[key];
      if (meaning === undefined) throw new Error(`tools/generate-docs.ts: the key ${key} (${where}) has no .describe() text in provider/offboarding/schema.ts`);
      return `| ${code(key)} | ${where} | ${cell(valueOf(node))} | ${cell(meaning)} |`;
    }),
  );
  return ["| key | where | value | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** The generated blocks: the file that holds each, its name in the markers, and what it is made from. */
export const BLOCKS = [
  { file: "docs/offboarding-file.md", name: "file-keys", source: "provider/offboarding/schema.ts", render: fileKeyTable },
  { file: "docs/settings.md", name: "settings", source: "provider/settings-reader.ts (SPECS) and SETTING_MEANINGS in tools/generate-docs.ts", render: settingsTable },
] as const;

export function beginMarker(name: string, source: string): string {
  return `<!-- BEGIN GENERATED ${name}: written by \`npm run docs\` (tools/generate-docs.ts) from ${source}; edit there, not here -->`;
}
export function endMarker(name: string): string {
  return `<!-- END GENERATED ${name} -->`;
}

/** `text` with the block between its markers replaced by `body`. Throws when the markers are missing. */
export function withBlock(text: string, file: string, name: string, source: string, body: string): string {
  const begin = beginMarker(name, source);
  const end = endMarker(name);
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`${file}: the markers of the generated block ${name} are missing; put these two lines where it goes:\n${begin}\n${end}`);
  return `${text.slice(0, start)}${begin}\n${body}\n${text.slice(stop)}`;
}

/** Every file with a generated block: as it is on disk, and as the generator would write it. */
export function generatedDocs(root: string = ROOT): Array<{ file: string; onDisk: string; expected: string }> {
  const byFile = new Map<string, { onDisk: string; expected: string }>();
  for (const b of BLOCKS) {
    const entry = byFile.get(b.file) ?? { onDisk: readFileSync(join(root, b.file), "utf8"), expected: "" };
    entry.expected = withBlock(entry.expected || entry.onDisk, b.file, b.name, b.source, b.render());
    byFile.set(b.file, entry);
  }
  return [...byFile].map(([file, v]) => ({ file, ...v }));
}

if (require.main === module) {
  for (const d of generatedDocs()) {
    if (d.onDisk === d.expected) {
      console.log(`${d.file}: up to date`);
    } else {
      writeFileSync(join(ROOT, d.file), d.expected);
      console.log(`wrote ${d.file}`);
    }
  }
}
