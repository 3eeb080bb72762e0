#!/usr/bin/env node
/** The `pulumi-docspace` command (package.json `bin`): `report` is ./report-command.ts; `archive` and `audit` are ./history-commands.ts. */
import { run } from "./report-command";
import { HISTORY_COMMANDS, runHistory } from "./history-commands";

const argv = process.argv.slice(2);
const history = (HISTORY_COMMANDS as readonly string[]).includes(argv[0] ?? "");

(history ? runHistory(argv, { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t), env: process.env, cwd: process.cwd() }) : run(argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`pulumi-docspace: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
