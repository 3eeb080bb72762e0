#!/usr/bin/env node
/** The `pulumi-docspace` command (package.json `bin`); everything is in ./report-cli. */
import { run } from "./report-cli";

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`pulumi-docspace: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
