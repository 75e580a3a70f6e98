/**
 * A tiny CloudFormation query-protocol server on 127.0.0.1 (`Action=DescribeStacks`), so the real
 * @aws-sdk/client-cloudformation reads stack outputs through `AWS_ENDPOINT_URL_CLOUDFORMATION`. It answers like
 * CloudFormation: an unknown stack is a 400 `ValidationError` "Stack with id <name> does not exist".
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

export interface DescribeStacksRequest {
  readonly stackName: string;
  /** The region of the SigV4 credential scope (what the client was configured with). */
  readonly region: string;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class CloudFormationTestServer {
  private readonly stacks = new Map<string, Record<string, string>>();
  private server?: Server;
  /** Every DescribeStacks request, in order. */
  readonly requests: DescribeStacksRequest[] = [];

  /** Declares a deployed stack and its outputs (key → value). */
  putStack(stackName: string, outputs: Record<string, string>): void {
    this.stacks.set(stackName, outputs);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/cloudformation\//.exec(req.headers.authorization ?? '')?.[1];
        const reply = (status: number, body: string) => {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
        };
        const error = (code: string, message: string) =>
          reply(
            400,
            `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
          );
        if (form.get('Action') !== 'DescribeStacks') return error('InvalidAction', `unsupported ${form.get('Action')}`);
        const stackName = form.get('StackName') ?? '';
        this.requests.push({ stackName, region: region ?? '' });
        const outputs = this.stacks.get(stackName);
        if (!outputs) return error('ValidationError', `Stack with id ${stackName} does not exist`);
        const members = Object.entries(outputs)
          .map(([k, v]) => `<member><OutputKey>${xml(k)}</OutputKey><OutputValue>${xml(v)}</OutputValue></member>`)
          .join('');
        reply(
          200,
          `<DescribeStacksResponse xmlns="${NS}"><DescribeStacksResult><Stacks><member>` +
            `<StackName>${xml(stackName)}</StackName><StackId>arn:aws:cloudformation:${region}:111111111111:stack/${xml(stackName)}/1</StackId>` +
            `<CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus>` +
            `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
            `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
