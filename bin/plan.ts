#!/usr/bin/env node
/**
 * The Snowflake plan of an environment, for pull-request review:
 *
 *   npx tsx bin/plan.ts --env dev                      # fresh-deploy SQL, no credentials
 *   npx tsx bin/plan.ts --env prod --live --format markdown   # what an update would run (read-only)
 *
 * See docs/data-model-deploy.md ("Plan for PR review") for every flag and the exit codes.
 */
import { runPlanCli } from './plan/cli';

runPlanCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => console.error(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`plan: ${(error as Error).name}: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
