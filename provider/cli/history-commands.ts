/**
 * `pulumi-docspace archive` and `pulumi-docspace audit`: their command lines and help. Neither
 * reads an API key or talks to the portal: they read the stack's records (`pulumi stack export`,
 * or a saved export), the ledger and the offboarding file.
 */
import { existsSync, writeFileSync } from "node:fs";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseOptions, UsageError, type ParsedOptions } from "./args";
import { isAbsolute, resolve } from "node:path";
import { boundText } from "../docspace/errors";
import { OffboardingFileError } from "../offboarding/parse";
import { archive, ArchiveRefused } from "../history/archive";
import { renderArchive } from "../history/archive-report";
import { auditRows, rowsAbout } from "../history/audit";
import { FORMATS, renderAudit, type AuditFormat } from "../history/audit-render";
import { FileEditError } from "../history/file-edit";
import { LedgerError, ledgerPathFor, readLedger } from "../history/ledger-file";
import { readExportFile, recordsOf, runStackExport, StackExportError, type StackExport, type StackRecord } from "../history/stack-export";

export const HISTORY_COMMANDS = ["archive", "audit"] as const;


const DEFAULT_FILE = "offboarding.yaml";

export const ARCHIVE_HELP = `Usage: pulumi-docspace archive [options]

Moves finished offboarding entries, with DocSpace's proof, from the stack's records into the
ledger kept next to the offboarding file (offboarding.ledger.jsonl), and takes those entries out
of the file, keeping its comments and order. Never talks to DocSpace; needs no API key.

An entry is archived only when its removal is Completed with DocSpace's proof (removed, removed
with a transfer, or recorded with alreadyRemoved), every other step of it is finished, and
dropping its records changes nothing at DocSpace. Anything running, Unconfirmed, Failed, Canceled
or without proof stays, and so do disables and transfers that keep the profile (not erasures);
the command says why for each. The ledger only grows: lines are appended, never rewritten, and a
ledger that is not whole is refused. Running it again archives nothing new.

Then commit the file and the ledger together. The next \`pulumi up\` drops the archived records
from the stack and does nothing at DocSpace; its preview says so for each entry.

Options:
  --file <path>      the offboarding file (default: ${DEFAULT_FILE}); the ledger is next to it,
                     <name>.ledger.jsonl, where the program reads it
  --state <file>     read the stack's records from this file (the output of \`pulumi stack export\`)
                     instead of running \`pulumi stack export\`
  --stack <name>     the stack for \`pulumi stack export\` (default: the selected stack)
  --dry-run          say what would be archived; write nothing
  -h, --help         show this help

Exit status: 0 done (also when nothing was archived), 1 a problem with the file, the ledger or the
stack's records (the message says what to fix; nothing was written), 2 a mistake on the command line.
`;

export const AUDIT_HELP = `Usage: pulumi-docspace audit [options]

Prints every removal, transfer and disable, from the ledger (archived steps, even once their entry
has left the file and the stack) and from the stack's records: who (name, email, DocSpace id), what
(removed; removed with data to whom; data transferred, profile kept; recorded as already removed;
disabled), when it started and completed, the reason (and ticket) from the file, DocSpace's proof,
the portal, and where it is recorded. Read-only; never talks to DocSpace; needs no API key.

Options:
  --format <csv|md|json>     output format (default: md)
  --person <email-or-id>     only the steps about this person (email in any letter case, or
                             DocSpace id), e.g. for a data-subject request
  --file <path>              the offboarding file, to find the ledger (default: ${DEFAULT_FILE})
  --ledger <path>            the ledger (default: next to the file), e.g. an older copy
  --state <file>             read the stack's records from this file (\`pulumi stack export\` output)
  --stack <name>             the stack for \`pulumi stack export\` (default: the selected stack)
  --ledger-only              read the ledger only (no stack, no pulumi CLI)
  --output <path>            write the export to this file instead of standard output
  -h, --help                 show this help

Exit status: 0 done (also when nothing matched: the summary on stderr says so), 1 a problem with
the ledger or the stack's records, 2 a mistake on the command line.
`;

export interface HistoryIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The time of this run (tests pass one). */
  now?: () => Date;
}

/** The options of archive or audit: neither talks to DocSpace. */
function parseArgs(command: string, argv: readonly string[], values: readonly string[], flags: readonly string[]): ParsedOptions {
  return parseOptions(argv, { command, values, flags, keyAdvice: `${command} never talks to DocSpace and needs no key.` });
}

/** `pulumi-docspace archive|audit ...`: returns the exit status. */
export async function runHistory(argv: readonly string[], io: HistoryIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "archive") return await archiveCommand(rest, io);
    if (command === "audit") return await auditCommand(rest, io);
    io.stderr(`pulumi-docspace: unknown command.\n`);
    return EXIT_USAGE;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`pulumi-docspace ${command}: ${e.message}\nRun \`pulumi-docspace ${command} --help\` for the options.\n`);
      return EXIT_USAGE;
    }
    if (e instanceof ArchiveRefused || e instanceof LedgerError || e instanceof StackExportError || e instanceof OffboardingFileError || e instanceof FileEditError) {
      io.stderr(`pulumi-docspace ${command}: ${e.message}\n`);
      return EXIT_FAILED;
    }
    io.stderr(`pulumi-docspace ${command}: unexpected failure: ${boundText(e instanceof Error ? e.message : String(e), 500)}\n`);
    return EXIT_FAILED;
  }
}

const at = (io: HistoryIO, p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p));

/** The stack's records: from --state, or `pulumi stack export`. */
async function stackRecords(args: ParsedOptions, io: HistoryIO): Promise<{ exported: StackExport; source: string }> {
  const state = args.values.get("--state");
  if (state !== undefined) return { exported: readExportFile(at(io, state), boundText(state, 200)), source: `--state ${boundText(state, 200)}` };
  const stack = args.values.get("--stack");
  return { exported: await runStackExport(io.cwd, io.env, stack), source: `pulumi stack export${stack ? ` --stack ${boundText(stack, 100)}` : ""}` };
}

async function archiveCommand(argv: readonly string[], io: HistoryIO): Promise<number> {
  const args = parseArgs("archive", argv, ["--file", "--state", "--stack"], ["--dry-run"]);
  if (args.help) {
    io.stdout(ARCHIVE_HELP);
    return EXIT_OK;
  }
  if (args.values.has("--state") && args.values.has("--stack")) throw new UsageError("give --state or --stack, not both (--stack picks the stack `pulumi stack export` reads)");
  const fileLabel = boundText(args.values.get("--file") ?? DEFAULT_FILE, 200);
  const file = at(io, args.values.get("--file") ?? DEFAULT_FILE);
  if (!existsSync(file)) {
    io.stderr(`pulumi-docspace archive: ${fileLabel}: there is no such file. Run it where the offboarding file is, or give --file <path>.\n`);
    return EXIT_FAILED;
  }
  // Always next to the file: that is where the program reads it (an entry it shows erased is refused there).
  const ledger = ledgerPathFor(file);
  const ledgerLabel = ledgerPathFor(fileLabel);
  readLedger(ledger, ledgerLabel); // a ledger that is not whole is refused before the stack is read
  const { exported, source } = await stackRecords(args, io);
  const result = archive({ file, fileLabel, ledger, ledgerLabel, exported, source, projectDir: io.cwd, dryRun: args.flags.has("--dry-run"), now: (io.now ?? (() => new Date()))(), tool: toolName() });
  io.stdout(renderArchive(result, { fileLabel, ledgerLabel }));
  return EXIT_OK;
}

async function auditCommand(argv: readonly string[], io: HistoryIO): Promise<number> {
  const args = parseArgs("audit", argv, ["--format", "--person", "--file", "--ledger", "--state", "--stack", "--output"], ["--ledger-only"]);
  if (args.help) {
    io.stdout(AUDIT_HELP);
    return EXIT_OK;
  }
  const format = args.values.get("--format") ?? "md";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError("--format must be csv, md or json");
  if (args.flags.has("--ledger-only") && (args.values.has("--state") || args.values.has("--stack"))) throw new UsageError("--ledger-only reads no stack: leave out --state and --stack");
  const person = args.values.get("--person")?.trim();
  const fileArg = args.values.get("--file") ?? DEFAULT_FILE;
  const ledger = args.values.has("--ledger") ? at(io, args.values.get("--ledger")!) : ledgerPathFor(at(io, fileArg));
  const ledgerLabel = boundText(args.values.has("--ledger") ? args.values.get("--ledger")! : ledgerPathFor(fileArg), 200);
  const read = readLedger(ledger, ledgerLabel);
  let records: StackRecord[] = [];
  let stackLabel = "(not read: --ledger-only)";
  if (!args.flags.has("--ledger-only")) {
    const { exported, source } = await stackRecords(args, io);
    records = recordsOf(exported);
    stackLabel = records[0] ? `${records[0].project}/${records[0].stack} (${source})` : `(no records; ${source})`;
  }
  const all = auditRows(read, records);
  const rows = person !== undefined ? rowsAbout(all, person) : all;
  const meta = { generatedAt: (io.now ?? (() => new Date()))().toISOString(), ledger: existsSync(ledger) ? ledgerLabel : `${ledgerLabel} (none yet)`, stack: stackLabel, ...(person !== undefined ? { person } : {}) };
  const text = renderAudit(format as AuditFormat, rows, meta);
  const output = args.values.get("--output");
  if (output !== undefined) writeFileSync(at(io, output), text);
  else io.stdout(text);
  const fromLedger = rows.filter((r) => r.source === "ledger").length;
  io.stderr(
    `pulumi-docspace audit: ${rows.length} step${rows.length === 1 ? "" : "s"}${person !== undefined ? ` about ${boundText(person, 320)}` : ""} (${fromLedger} from the ledger, ${rows.length - fromLedger} from the stack)` +
      `${rows.length === 0 && person !== undefined ? "; nothing about this person in the ledger or the stack" : ""}${output !== undefined ? `; written to ${boundText(output, 200)}` : ""}. Nothing was changed.\n`,
  );
  return EXIT_OK;
}

function toolName(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require("../../../package.json") as { name?: string; version?: string };
    return `${pkg.name ?? "pulumi-docspace"} ${pkg.version ?? ""}`.trim();
  } catch {
    return "pulumi-docspace";
  }
}
