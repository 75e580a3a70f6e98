/**
 * Child process of bench/parser.ts: runs the real parser handler on one SQS message against the
 * benchmark's S3 server and prints `{ ms, maxRssMb, response }` as JSON. A separate process, so the
 * peak RSS is the parser's alone (not the S3 server's or the generator's).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { loadParserConfig } from '../lambda/parser/config';
import { createHandler } from '../lambda/parser/handler';

async function main(): Promise<void> {
  const config = loadParserConfig();
  const handler = createHandler(config, {
    logger: new Logger({ serviceName: 'parser', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Bench', serviceName: 'parser' }),
  });
  const body = process.env.BENCH_MESSAGE!;
  const started = process.hrtime.bigint();
  const response = await handler({ Records: [{ messageId: 'bench', body } as never] }, {
    functionName: 'bench',
  } as Context);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stderr.write(JSON.stringify({ ms, maxRssMb, response }) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
