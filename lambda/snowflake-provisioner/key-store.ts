/**
 * Where the provisioner writes a service user's generated private key: Secrets Manager
 * PutSecretValue on the function's secret (the provisioner's role may write that secret, not read
 * it). The key travels only in the request body; it is never logged, and errors carry only the AWS
 * error's name and message.
 */
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type { PrivateKeyStore } from '../../snowflake/engine/key-pair';
import { secretRegion } from '../shared/snowflake/private-key';

const clients = new Map<string, SecretsManager.SecretsManagerClient>();

export const secretsManagerKeyStore: PrivateKeyStore = {
  async put(secretArn, privateKeyPem) {
    // Loaded on first use, like the driver: most invocations never write a key.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sm = require('@aws-sdk/client-secrets-manager') as typeof SecretsManager;
    const region = secretRegion(secretArn) ?? '';
    let client = clients.get(region);
    if (!client) {
      client = new sm.SecretsManagerClient(region ? { region } : {});
      clients.set(region, client);
    }
    await client.send(new sm.PutSecretValueCommand({ SecretId: secretArn, SecretString: privateKeyPem }));
  },
};
