/**
 * A tiny Secrets Manager JSON-protocol server on 127.0.0.1 (X-Amz-Target
 * `secretsmanager.GetSecretValue`, `secretsmanager.PutSecretValue`) so the real
 * @aws-sdk/client-secrets-manager reads and writes secrets via AWS_ENDPOINT_URL_SECRETS_MANAGER.
 * Unknown secrets answer ResourceNotFoundException (PutSecretValue too: it never creates a secret).
 */
import { createServer } from 'http';
import type { Server } from 'http';
import type { AddressInfo } from 'net';

export class SecretsManagerTestServer {
  private readonly secrets = new Map<string, string>();
  /** SecretIds requested, in order. */
  readonly requests: string[] = [];
  /** SecretIds written (PutSecretValue), in order. */
  readonly writes: string[] = [];

  /** The current value of a secret (tests). */
  get(arn: string): string | undefined {
    return this.secrets.get(arn);
  }
  private server?: Server;

  put(arn: string, secretString: string): void {
    this.secrets.set(arn, secretString);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
          SecretId?: string;
          SecretString?: string;
        };
        const reply = (status: number, payload: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(payload));
        };
        if (target === 'secretsmanager.PutSecretValue') {
          const id = String(body.SecretId ?? '');
          if (!this.secrets.has(id))
            return reply(400, {
              __type: 'ResourceNotFoundException',
              message: "Secrets Manager can't find the specified secret.",
            });
          this.writes.push(id);
          this.secrets.set(id, String(body.SecretString ?? ''));
          return reply(200, { ARN: id, Name: id.split(':').pop(), VersionId: `v${this.writes.length + 1}` });
        }
        if (target !== 'secretsmanager.GetSecretValue')
          return reply(400, { __type: 'UnknownOperationException', message: `unsupported ${target}` });
        const id = String(body.SecretId ?? '');
        this.requests.push(id);
        const value = this.secrets.get(id);
        if (value === undefined)
          return reply(400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
        reply(200, {
          ARN: id,
          Name: id.split(':').pop(),
          SecretString: value,
          VersionId: 'v1',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1700000000,
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
