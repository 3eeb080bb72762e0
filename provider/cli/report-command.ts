/**
 * `pulumi-docspace report`: reads the portal (never writes) and prints, as a YAML snippet for the
 * offboarding file, the accounts that look like they should be in it, each with its reason.
 * The portal and key come from the environment (DOCSPACE_URL, DOCSPACE_API_KEY) or --url; there
 * is deliberately no option for the key: a key on a command line ends up in shell history and
 * process lists.
 */
import { existsSync, readFileSync } from "node:fs";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseOptions, UsageError } from "./args";
import { resolve } from "node:path";
import { DocSpaceClient } from "../docspace/client";
import { boundText, DocSpaceError, isDocSpaceError } from "../docspace/errors";
import { parseApiKey, parsePortalUrl } from "../docspace/settings";
import { closeConnections } from "../docspace/transport";
import { OffboardingFileError, parseOffboardingBytes } from "../offboarding/parse";
import { portalSettings, readSetting, type SettingsSource } from "../settings-reader";
import { readPortalAccounts, type PortalAccounts, type ReadProgress } from "../suggestions/read-accounts";
import {
  DEFAULT_DISABLED_DAYS,
  DEFAULT_INVITED_DAYS,
  parseDay,
  renderSnippet,
  suggestRemovals,
  type ListedAccounts,
  type SuggestionKind,
  type SuggestResult,
} from "../suggestions/suggest";


const DEFAULT_FILE = "offboarding.yaml";

export const TOP_HELP = `Usage: pulumi-docspace <command> [options]

Commands:
  report     suggest accounts to add to the offboarding file (read-only)
  archive    move finished, proved entries from the stack into the ledger next to the file (no request to DocSpace)
  audit      export every removal, transfer and disable, from the ledger and the stack (csv, md or json)

Run \`pulumi-docspace <command> --help\` for its options.
`;

export const REPORT_HELP = `Usage: pulumi-docspace report [options]

Reads the DocSpace portal (read-only: it never changes anything) and prints, as a YAML
snippet to paste into the offboarding file, the accounts that look like they should be in it
and are not listed there yet:
  - disabled accounts whose "terminated" date (DocSpace's) is more than --disabled-days ago;
  - invitations (status Pending) sent more than --invited-days ago and never accepted.
Each entry has a comment saying why. The portal owner and the key's own account are never suggested.

What DocSpace does not say, and what the report does about it:
  - When an account was disabled. DocSpace writes the terminated date only on some routes (not
    the web UI's disable, nor this package's) and never clears it: most disabled accounts have
    none, and a date that is there may be older than the current disable. Disabled accounts
    without a terminated date are left out (the summary counts them). --include-undated lists
    them as "disabled, date unknown", each with removeAfter --disabled-days from today, so
    none is removed before then.
  - Whether an active account is in use. An active account whose email was never confirmed
    is not an invitation (it was created by an admin, imported, migrated, or invited before
    DocSpace 2.6) and may be in use. Such accounts are left out (the summary counts them).
    --include-unconfirmed lists those created more than --invited-days ago with
    action: disable (reversible by a person in DocSpace), never for removal.

Options:
  --file <path>           the offboarding file whose entries are already listed
                          (default: ${DEFAULT_FILE} in the current directory, if there is one)
  --disabled-days <n>     suggest disabled accounts whose terminated date is more than n days ago;
                          with --include-undated, also the wait before their removeAfter (default ${DEFAULT_DISABLED_DAYS})
  --invited-days <n>      suggest invitations older than n days, never accepted; with
                          --include-unconfirmed, also the age those accounts need (default ${DEFAULT_INVITED_DAYS})
  --include-undated       also list disabled accounts without a terminated date (see above)
  --include-unconfirmed   also list active accounts whose email was never confirmed, to disable (see above)
  --url <url>             the portal, https://... (default: DOCSPACE_URL)
  --today <YYYY-MM-DD>    count days up to this date (default: DOCSPACE_TODAY, else today, UTC)
  -h, --help              show this help

Environment:
  DOCSPACE_URL            the portal, https://your-portal.onlyoffice.com (plain http only for localhost)
  DOCSPACE_API_KEY        an API key of the portal owner or a DocSpace admin, with read access to
                          accounts (there is no option for the key: command lines are not secret)
  DOCSPACE_TODAY          the date to count days up to, YYYY-MM-DD, when --today is not given

Output: the snippet on stdout; a summary (and, on a terminal, progress) on stderr.
Exit status: 0 done, 1 a problem with the portal, the key or the file (the message says what to fix),
2 a mistake on the command line.
`;

export interface ReportArgs {
  file?: string;
  disabledDays: number;
  invitedDays: number;
  includeUndated: boolean;
  includeUnconfirmed: boolean;
  url?: string;
  today?: string;
  help: boolean;
}

/** Parses the arguments after `report`. Never echoes a value it refuses: it might be a key. */
export function parseReportArgs(argv: readonly string[]): ReportArgs {
  const o = parseOptions(argv, {
    command: "the report",
    values: ["--file", "--disabled-days", "--invited-days", "--url", "--today"],
    flags: ["--include-undated", "--include-unconfirmed"],
    keyAdvice: "a key on the command line ends up in shell history and process lists. Set DOCSPACE_API_KEY in the environment instead.",
  });
  const days = (name: string, fallback: number): number => {
    const value = o.values.get(name);
    if (value === undefined) return fallback;
    if (!/^\d{1,5}$/.test(value) || Number(value) > 36_500) throw new UsageError(`${name} must be a whole number of days, 0 to 36500`);
    return Number(value);
  };
  const todayText = o.values.get("--today");
  const today = todayText === undefined ? undefined : parseDay(todayText);
  if (todayText !== undefined && today === undefined) throw new UsageError("--today must be a date such as 2026-11-30");
  return {
    file: o.values.get("--file"),
    url: o.values.get("--url"),
    today,
    disabledDays: days("--disabled-days", DEFAULT_DISABLED_DAYS),
    invitedDays: days("--invited-days", DEFAULT_INVITED_DAYS),
    includeUndated: o.flags.has("--include-undated"),
    includeUnconfirmed: o.flags.has("--include-unconfirmed"),
    help: o.help,
  };
}

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress is drawn only on a terminal; a log file gets the summary alone. */
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The whole command: `argv` is what follows the program name. Returns the exit status. */
export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr(`pulumi-docspace: a command is required.\n\n${TOP_HELP}`);
    return EXIT_USAGE;
  }
  if (command === "-h" || command === "--help" || command === "help") {
    io.stdout(TOP_HELP);
    return EXIT_OK;
  }
  if (command !== "report") {
    io.stderr(`pulumi-docspace: unknown command${/^[a-z-]{1,20}$/.test(command) ? ` "${command}"` : ""}.\n\n${TOP_HELP}`);
    return EXIT_USAGE;
  }
  return report(rest, io);
}

async function report(argv: readonly string[], io: CliIO): Promise<number> {
  // Whatever happens below, the key never reaches the output, even inside a message from elsewhere.
  const rawKey = (readSetting("apiKey", { env: io.env }) ?? "").trim(); // never from an option
  const redact = (t: string): string => (rawKey.length >= 8 ? t.split(rawKey).join("[redacted]") : t);
  const out = (t: string): void => io.stdout(redact(t));
  const err = (t: string): void => io.stderr(redact(t));
  const fail = (message: string): number => {
    err(`pulumi-docspace report: ${message}\n`);
    return EXIT_FAILED;
  };

  let args: ReportArgs;
  try {
    args = parseReportArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`pulumi-docspace report: ${e.message}\nRun \`pulumi-docspace report --help\` for the options.\n`);
    return EXIT_USAGE;
  }
  if (args.help) {
    out(REPORT_HELP);
    return EXIT_OK;
  }
  // The settings by the program's own rule (settings-reader.ts), with the options in the place of
  // stack config: --url, else DOCSPACE_URL; --today, else DOCSPACE_TODAY, else the UTC date; the
  // limits from DOCSPACE_*. The key has no option: it comes from DOCSPACE_API_KEY only.
  const options: Record<string, string | undefined> = { "docspace:url": args.url, "docspace:today": args.today };
  const settings: SettingsSource = { config: { get: (key) => options[key] }, env: io.env, configLabel: (name) => `--${name}` };
  let today: string;
  try {
    today = readSetting("today", settings);
  } catch (e) {
    if (!isDocSpaceError(e, "configuration")) throw e;
    err(`pulumi-docspace report: DOCSPACE_TODAY must be a date such as 2026-11-30; unset it to count up to today (UTC).\n`);
    return EXIT_USAGE;
  }

  let origin: string;
  let apiKey: string;
  try {
    const urlSetting = args.url !== undefined ? "--url" : "DOCSPACE_URL";
    const rawUrl = readSetting("url", settings) ?? "";
    if (rawUrl.trim() === "") throw new DocSpaceError("configuration", "The DocSpace portal URL is not set. Set DOCSPACE_URL (or --url) to the portal's address, such as https://your-portal.onlyoffice.com.");
    origin = parsePortalUrl(rawUrl, urlSetting);
    if (rawKey === "") throw new DocSpaceError("configuration", "The DocSpace API key is not set. Set DOCSPACE_API_KEY in the environment to a key of the portal owner or a DocSpace admin.");
    apiKey = parseApiKey(rawKey, "DOCSPACE_API_KEY");
  } catch (e) {
    if (isDocSpaceError(e)) return fail(e.message);
    throw e;
  }

  let listed: ListedAccounts = { emails: new Set(), ids: new Set() };
  let fileLabel: string | undefined;
  const filePath = args.file ?? (existsSync(resolve(io.cwd, DEFAULT_FILE)) ? DEFAULT_FILE : undefined);
  if (filePath !== undefined) {
    const full = resolve(io.cwd, filePath);
    fileLabel = boundText(filePath, 200);
    let bytes: Buffer;
    try {
      bytes = readFileSync(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return fail(`${fileLabel}: ${code === "ENOENT" ? "there is no such file" : `cannot be read (${code ?? "error"})`}. Give the path of the offboarding file with --file, or leave --file out.`);
    }
    try {
      const file = parseOffboardingBytes(bytes, fileLabel);
      listed = {
        emails: new Set(file.removals.flatMap((r) => (r.email !== undefined ? [r.email.toLowerCase()] : []))),
        ids: new Set(file.removals.flatMap((r) => (r.id !== undefined ? [r.id.toLowerCase()] : []))),
      };
    } catch (e) {
      if (e instanceof OffboardingFileError) return fail(`${e.message}\nFix the file (or point --file at another one) and run the report again.`);
      throw e;
    }
  }

  const progress = (p: ReadProgress): void => {
    if (!io.stderrIsTTY) return;
    const what = { disabled: "disabled accounts", invited: "pending invitations", unconfirmed: "active accounts with an unconfirmed email" }[p.phase];
    io.stderr(`\r\x1b[2KReading ${what}: ${p.read.toLocaleString("en-US")} of ${p.total.toLocaleString("en-US")}`);
  };
  try {
    const client = new DocSpaceClient({ ...portalSettings(settings), url: origin, apiKey });
    const accounts = await readPortalAccounts(client, progress);
    if (io.stderrIsTTY) io.stderr("\r\x1b[2K");
    const result = suggestRemovals(
      { disabled: accounts.disabled, invited: accounts.invited, unconfirmed: accounts.unconfirmed, listed, selfId: accounts.self.id },
      { today, disabledDays: args.disabledDays, invitedDays: args.invitedDays, includeUndated: args.includeUndated, includeUnconfirmed: args.includeUnconfirmed },
    );
    out(renderSnippet(result, { today, portal: origin, fileLabel }));

    err(summary(result, accounts, args, fileLabel));
    return EXIT_OK;
  } catch (e) {
    if (io.stderrIsTTY) io.stderr("\r\x1b[2K");
    if (isDocSpaceError(e)) return fail(`${e.message}${cliHint(e)}`);
    return fail(`unexpected failure: ${boundText(e instanceof Error ? e.message : String(e), 500)}`);
  } finally {
    await closeConnections();
  }
}

const count = (value: number, one: string, many = `${one}s`): string => `${value.toLocaleString("en-US")} ${value === 1 ? one : many}`;

/** The summary for stderr: what was suggested, from what was read, and what was left out and why. */
function summary(result: SuggestResult, accounts: PortalAccounts, args: ReportArgs, fileLabel: string | undefined): string {
  const byKind = (k: SuggestionKind): number => result.suggestions.filter((s) => s.kind === k).length;
  const made = [
    `${byKind("disabled").toLocaleString("en-US")} disabled with a terminated date more than ${args.disabledDays} days ago`,
    args.includeUndated ? `${byKind("undated").toLocaleString("en-US")} disabled with no date` : "",
    `${count(byKind("invited"), "invitation")} older than ${args.invitedDays} days`,
    args.includeUnconfirmed ? `${count(byKind("unconfirmed"), "active account")} with an unconfirmed email created more than ${args.invitedDays} days ago` : "",
  ].filter((x) => x !== "");
  const s = result.skipped;
  const left = [
    s.listed > 0 ? `${count(s.listed, "account")} already in ${fileLabel}` : "",
    s.recentlyDisabled > 0 ? `${count(s.recentlyDisabled, "disabled account")} whose terminated date is ${args.disabledDays} days ago or less` : "",
    s.recentlyInvited > 0 ? `${count(s.recentlyInvited, "invitation")} ${args.invitedDays} days old or less` : "",
    s.invitedWithoutDate > 0 ? `${count(s.invitedWithoutDate, "invitation")} without a date` : "",
    s.recentlyUnconfirmed > 0 ? `${count(s.recentlyUnconfirmed, "active account")} with an unconfirmed email created ${args.invitedDays} days ago or less` : "",
    s.ownerOrSelf > 0 ? `the owner or the key's own account` : "",
  ].filter((x) => x !== "");
  const lines = [
    `pulumi-docspace report: ${count(result.suggestions.length, "suggestion")} (${made.join(", ")}) from ${count(accounts.disabled.length, "disabled account")}, ` +
      `${count(accounts.invited.length, "pending invitation")} and ${count(accounts.unconfirmed.length, "active account")} with an unconfirmed email, in ${count(accounts.requests, "read request")}` +
      `${left.length > 0 ? `; left out: ${left.join(", ")}` : ""}` +
      `${fileLabel === undefined ? `; no ${DEFAULT_FILE} here, so nothing counts as listed (use --file)` : ""}. Nothing was changed.`,
  ];
  // These two are left out for a fact the portal does not give, so each gets its own line and the option that lists them.
  if (s.undated > 0) {
    lines.push(
      `  ${count(s.undated, "disabled account")} without a date ${s.undated === 1 ? "was" : "were"} left out: DocSpace does not record when an account was disabled through its status route; pass --include-undated to list ${s.undated === 1 ? "it" : "them"}.`,
    );
  }
  if (s.unconfirmed > 0) {
    lines.push(
      `  ${count(s.unconfirmed, "active account")} whose email was never confirmed ${s.unconfirmed === 1 ? "was left out: it is a live account, not an invitation; pass --include-unconfirmed to list it" : "were left out: they are live accounts, not invitations; pass --include-unconfirmed to list them"} (to disable, never to remove).`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The transport's advice names Pulumi config; on this command the same settings are environment variables. */
function cliHint(e: DocSpaceError): string {
  switch (e.kind) {
    case "authentication":
    case "forbidden":
      return "\nFor this command the key is read from DOCSPACE_API_KEY.";
    case "configuration":
    case "network":
      return "\nFor this command the portal is DOCSPACE_URL (or --url).";
    default:
      return "";
  }
}
