/** Starts the Snowflake-protocol test server and signs in to it as the monitor (real snowflake-sdk, key pair). */
import { openSession, type SnowflakeSession } from '../../../lambda/shared/snowflake/connection';
import type { SnowflakeTestServer } from '../../support/snowflake-server';
import { keyPair } from '../snowflake-provisioner/harness';

export async function startMonitorSession(server: SnowflakeTestServer): Promise<SnowflakeSession> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const url = await server.start();
  const { publicKey, privateKey } = keyPair();
  server.registerUser('TESTORG-TEST', 'MONITOR', publicKey);
  return openSession(
    {
      account: 'TESTORG-TEST',
      user: 'MONITOR',
      role: 'MONITOR_ROLE',
      warehouse: 'MONITOR_WH',
      privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:k-AbCdEf',
      accessUrl: url,
    },
    { readKey: async () => ({ privateKey }), baseDelayMs: 1 },
  );
}
