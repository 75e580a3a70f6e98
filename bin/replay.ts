#!/usr/bin/env node
/**
 * Replay / backfill: re-ingests archived originals of a dataset through the normal path.
 *
 *   npx tsx bin/replay.ts --env dev --dataset orders --from 2024-05-01 --to 2024-05-07 [--dry-run]
 *
 * See docs/operations.md ("Replay and backfill") for every flag, the report and the exit codes.
 */
import { runReplayCli } from './replay/cli';

runReplayCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`replay: ${(error as Error).name}: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
