/**
 * Where the provisioner writes a service user's generated private key: Secrets Manager
 * PutSecretValue on the function's secret (the provisioner's role may write that secret, not read
 * it). The key travels only in the request body; it is never logged, and errors carry only the AWS
 * error's name and message.
 */
import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type { PrivateKeyStore } from '../../snowflake/engine/key-pair';
import { secretsProviderFor } from '../shared/snowflake/private-key';

export const secretsManagerKeyStore: PrivateKeyStore = {
  async put(secretArn, privateKeyPem) {
    // Loaded on first use, like the driver: most invocations never write a key.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sm = require('@aws-sdk/client-secrets-manager') as typeof SecretsManager;
    // The same per-region client that reads secrets (one client per region).
    const { client } = secretsProviderFor(secretArn);
    await client.send(new sm.PutSecretValueCommand({ SecretId: secretArn, SecretString: privateKeyPem }));
  },
};
