#!/usr/bin/env node
/**
 * The producer uploader (`s3-uploader`, npm `bin`): `send`, `watch`, `poll`, `status`, `requeue`,
 * `credential-process` for one `<source>/<dataset>`. See docs/uploader.md; `--help` lists every flag.
 *
 *   npx tsx bin/uploader.ts watch ./outbox --source weather --dataset weather --bucket <inbound> --region eu-west-1
 */
import { main } from './uploader/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let stop: () => void = () => {};
const stopSignal = new Promise<void>((resolve) => (stop = resolve));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop());

void main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stopSignal,
}).then((code) => {
  process.exitCode = code;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', event: 'exit', code, maxRssBytes })}\n`,
  );
  // Keep-alive sockets and timers must not hold the process open.
  setTimeout(() => process.exit(code), 50).unref();
});
