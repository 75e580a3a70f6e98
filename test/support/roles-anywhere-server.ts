/**
 * A local stand-in for IAM Roles Anywhere's CreateSession (POST /sessions) on 127.0.0.1 and a free port.
 * It checks a request as the service does, with its own implementation (not the uploader's): the
 * certificate in `X-Amz-X509` was issued by the configured CA and is valid now; the Authorization header's
 * algorithm matches the key type, its Credential is the certificate serial (decimal) with a scope for
 * today, the region and `rolesanywhere`; the SigV4 canonical request rebuilt from the received headers and
 * body, signed with the certificate's public key, verifies; the ARNs are the configured ones. It then
 * answers the credentials it is given.
 */
import { createHash, verify, X509Certificate } from 'crypto';
import { createServer, type IncomingMessage } from 'http';
import type { AddressInfo } from 'net';

export interface StandInOptions {
  readonly caPem: string;
  readonly region: string;
  readonly trustAnchorArn: string;
  readonly profileArn: string;
  readonly roleArn: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

export interface StandInServer {
  readonly endpoint: string;
  /** Sessions issued, with the CN of each certificate. */
  readonly sessions: { commonName: string; durationSeconds: number }[];
  /** Requests refused, with the reason. */
  readonly refusals: string[];
  stop(): Promise<void>;
}

const sha256Hex = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

function check(req: IncomingMessage, body: Buffer, o: StandInOptions, ca: X509Certificate) {
  const header = (n: string) => {
    const v = req.headers[n];
    return Array.isArray(v) ? v.join(',') : v;
  };
  if (req.method !== 'POST' || req.url !== '/sessions') return { error: `unexpected ${req.method} ${req.url}` };
  const auth =
    /^(AWS4-X509-(RSA|ECDSA)-SHA256) Credential=(\d+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]+)$/.exec(
      header('authorization') ?? '',
    );
  if (!auth) return { error: `malformed Authorization: ${header('authorization')}` };
  const [, algorithm, kind, serial, date, region, service, signedHeaders, signature] = auth;
  const x509 = header('x-amz-x509');
  if (!x509) return { error: 'no X-Amz-X509' };
  const cert = new X509Certificate(Buffer.from(x509, 'base64'));
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
    return { error: 'certificate not issued by the trust anchor CA' };
  const now = Date.now();
  if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) return { error: 'certificate not valid now' };
  const keyType = cert.publicKey.asymmetricKeyType;
  if ((kind === 'RSA') !== (keyType === 'rsa') || (kind === 'ECDSA') !== (keyType === 'ec')) {
    return { error: `algorithm ${algorithm} does not match a ${keyType} key` };
  }
  if (serial !== BigInt(`0x${cert.serialNumber}`).toString())
    return { error: `credential ${serial} is not the certificate serial` };
  const amzDate = header('x-amz-date') ?? '';
  if (!amzDate.startsWith(date) || region !== o.region || service !== 'rolesanywhere')
    return { error: 'bad credential scope' };
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(Math.abs(now - when) < 5 * 60_000)) return { error: `X-Amz-Date ${amzDate} is not within 5 minutes` };
  const names = signedHeaders.split(';');
  for (const required of ['content-type', 'host', 'x-amz-date', 'x-amz-x509']) {
    if (!names.includes(required)) return { error: `${required} is not signed` };
  }
  const canonical = [
    'POST',
    '/sessions',
    '',
    names.map((n) => `${n}:${(header(n) ?? '').trim()}\n`).join(''),
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  const stringToSign = [algorithm, amzDate, `${date}/${region}/${service}/aws4_request`, sha256Hex(canonical)].join(
    '\n',
  );
  if (!verify('sha256', Buffer.from(stringToSign), cert.publicKey, Buffer.from(signature, 'hex'))) {
    return { error: 'signature does not verify with the certificate' };
  }
  const request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  for (const k of ['trustAnchorArn', 'profileArn', 'roleArn'] as const) {
    if (request[k] !== o[k]) return { error: `${k} ${String(request[k])} is not configured` };
  }
  const commonName = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? '';
  return { commonName, durationSeconds: Number(request.durationSeconds ?? 3600) };
}

export async function startRolesAnywhereStandIn(options: StandInOptions): Promise<StandInServer> {
  const ca = new X509Certificate(options.caPem);
  const sessions: StandInServer['sessions'] = [];
  const refusals: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const result = check(req, Buffer.concat(chunks), options, ca);
      if ('error' in result) {
        refusals.push(result.error!);
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: result.error }));
        return;
      }
      sessions.push(result);
      const expiration = new Date(Date.now() + result.durationSeconds * 1000).toISOString();
      res.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          credentialSet: [
            {
              assumedRoleUser: { arn: `${options.roleArn}/${result.commonName}` },
              credentials: { ...options.credentials, expiration },
              roleArn: options.roleArn,
            },
          ],
          subjectArn: 'arn:aws:rolesanywhere:local:000000000000:subject/test',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sessions,
    refusals,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
