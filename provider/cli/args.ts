/** The command line of every `pulumi-docspace` command: exit statuses and one option parser. */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A mistake on the command line: printed with the command's help hint, exit status 2. */
export class UsageError extends Error {}

export interface ParsedOptions {
  values: Map<string, string>;
  flags: Set<string>;
  help: boolean;
}

export interface OptionSpec {
  /** The command, for messages. */
  command: string;
  /** Options that take a value (`--opt value` or `--opt=value`). */
  values: readonly string[];
  /** Options that take none. */
  flags: readonly string[];
  /** What to say to someone who tries to pass a key on the command line. */
  keyAdvice: string;
}

/** Parses options (`--opt value`, `--opt=value`, flags, -h). Never echoes a refused value: it might be a key. */
export function parseOptions(argv: readonly string[], spec: OptionSpec): ParsedOptions {
  const out: ParsedOptions = { values: new Map(), flags: new Set(), help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") {
      out.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (/^--?(api-?key|key|token)$/i.test(name)) throw new UsageError(`there is no ${name} option: ${spec.keyAdvice}`);
    if (!name.startsWith("-")) throw new UsageError(`unexpected argument #${i + 1}; ${spec.command} takes options only`);
    if (out.flags.has(name) || out.values.has(name)) throw new UsageError(`${name} is given twice`);
    if (spec.flags.includes(name)) {
      if (name !== arg) throw new UsageError(`${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    if (!spec.values.includes(name)) throw new UsageError(/^--?[a-zA-Z][a-zA-Z-]{0,30}$/.test(name) ? `unknown option ${name}` : `unknown option (argument #${i + 1})`);
    let value: string;
    if (name !== arg) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) throw new UsageError(`${name} needs a value`);
      value = next;
      i++;
    }
    if (value.trim() === "") throw new UsageError(`${name} needs a value`);
    out.values.set(name, value);
  }
  return out;
}
