/** Shared setup of the provisioner's end-to-end tests: real servers, real keys, CloudFormation-shaped events. */
import { generateKeyPairSync } from 'crypto';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { SecretsManagerTestServer } from '../../support/secrets-manager-server';
import { SnowflakeTestServer } from '../../support/snowflake-server';

export const ACCOUNT = 'TESTORG-TEST';
export const USER = 'PROVISIONER';
export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snowflake/provisioner-AbCdEf';

export function keyPair(passphrase?: string) {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: passphrase
      ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }
      : { type: 'pkcs8', format: 'pem' },
  });
}

export interface Harness {
  snowflake: SnowflakeTestServer;
  secrets: SecretsManagerTestServer;
  connection: Record<string, string>;
  privateKey: string;
  publicKey: string;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const snowflake = new SnowflakeTestServer();
  const secrets = new SecretsManagerTestServer();
  const [url, smUrl] = await Promise.all([snowflake.start(), secrets.start()]);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = smUrl;
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { publicKey, privateKey } = keyPair();
  snowflake.registerUser(ACCOUNT, USER, publicKey);
  secrets.put(SECRET_ARN, privateKey);
  return {
    snowflake,
    secrets,
    privateKey,
    publicKey,
    connection: {
      account: ACCOUNT,
      user: USER,
      role: 'PIPELINE_ADMIN',
      warehouse: 'PIPELINE_WH',
      privateKeySecretArn: SECRET_ARN,
      accessUrl: url,
    },
    stop: async () => {
      await Promise.all([snowflake.stop(), secrets.stop()]);
    },
  };
}

let counter = 0;

/** A CloudFormation event as the Provider framework passes it to onEvent (property values are strings). */
export function cfnEvent(
  type: 'Create' | 'Update' | 'Delete',
  logicalId: string,
  properties: Record<string, unknown>,
  physicalId?: string,
  oldProperties?: Record<string, unknown>,
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/',
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/test/guid',
    RequestId: `request-${++counter}`,
    LogicalResourceId: logicalId,
    ResourceType: 'Custom::SnowflakeObject',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
      ...(stringify(properties) as Record<string, unknown>),
    },
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' } as CloudFormationCustomResourceEvent;
  if (type === 'Update')
    return {
      ...base,
      RequestType: 'Update',
      PhysicalResourceId: physicalId!,
      OldResourceProperties: stringify(oldProperties ?? properties),
    } as CloudFormationCustomResourceEvent;
  return { ...base, RequestType: 'Delete', PhysicalResourceId: physicalId! } as CloudFormationCustomResourceEvent;
}

/** CloudFormation delivers every scalar as a string. */
export function stringify(value: unknown): never {
  if (Array.isArray(value)) return value.map(stringify) as never;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringify(v)])) as never;
  return (value === undefined ? undefined : String(value)) as never;
}
