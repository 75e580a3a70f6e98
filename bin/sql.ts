#!/usr/bin/env node
/** `npm run sql -- "SELECT …"`: see bin/sql/cli.ts. */
import { runSqlCli } from './sql/cli';

runSqlCli(process.argv.slice(2), {
  cwd: process.cwd(),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  input: process.stdin,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`sql: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
