import { writeFile } from 'fs/promises';
import { join } from 'path';
import {
  createSession,
  CredentialsError,
  rolesAnywhereProvider,
  signCreateSession,
  type RolesAnywhereOptions,
} from '../../bin/uploader/roles-anywhere';
import { EXIT } from '../../bin/uploader/defaults';
import { LOCAL_CREDENTIALS } from '../../bin/sandbox/s3-server';
import { createTestCa, type TestCa } from '../support/certificates';
import { startRolesAnywhereStandIn, type StandInServer } from '../support/roles-anywhere-server';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { BUCKET, expectedKey, runCli, targetFlags, tempDir } from './uploader-harness';

const ARNS = {
  trustAnchorArn: 'arn:aws:rolesanywhere:eu-west-1:111111111111:trust-anchor/aaaa',
  profileArn: 'arn:aws:rolesanywhere:eu-west-1:111111111111:profile/bbbb',
  roleArn: 'arn:aws:iam::111111111111:role/ingest-dev-upload-weather',
};
// The stand-in vends the local S3 server's fixed credentials, so the uploader can use them against it.
const VENDED = { ...LOCAL_CREDENTIALS, sessionToken: 'session-token-from-stand-in' };

describe('Roles Anywhere CreateSession signing (X.509 SigV4) against a verifying stand-in', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let standIn: StandInServer;
  let rsa: { certificatePem: string; privateKeyPem: string };
  let ec: { certificatePem: string; privateKeyPem: string };
  const options = (cert: { certificatePem: string; privateKeyPem: string }): RolesAnywhereOptions => ({
    ...cert,
    ...ARNS,
    region: 'eu-west-1',
    endpoint: standIn.endpoint,
    durationSeconds: 900,
  });

  beforeAll(async () => {
    ca = createTestCa('producer-ca');
    otherCa = createTestCa('someone-else');
    rsa = ca.issue('collector-rsa', 'rsa');
    ec = ca.issue('collector-ec', 'ec');
    standIn = await startRolesAnywhereStandIn({
      caPem: ca.certificatePem,
      region: 'eu-west-1',
      ...ARNS,
      credentials: VENDED,
    });
  });
  afterAll(async () => {
    await standIn.stop();
    ca.dispose();
    otherCa.dispose();
  });

  test.each([
    ['RSA', 'AWS4-X509-RSA-SHA256', () => rsa, 'collector-rsa'],
    ['EC P-256', 'AWS4-X509-ECDSA-SHA256', () => ec, 'collector-ec'],
  ])(
    'GIVEN an %s certificate WHEN a session is created THEN the stand-in verifies it and vends credentials',
    async (_, algorithm, cert, cn) => {
      const before = standIn.sessions.length;
      expect(signCreateSession(options(cert())).headers.authorization.startsWith(`${algorithm} Credential=`)).toBe(
        true,
      );
      const credentials = await createSession(options(cert()));
      expect(credentials).toMatchObject({ accessKeyId: VENDED.accessKeyId, sessionToken: VENDED.sessionToken });
      expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now() + 800_000);
      expect(standIn.sessions.slice(before)).toEqual([{ commonName: cn, durationSeconds: 900 }]);
    },
  );

  test('GIVEN a certificate from another CA WHEN a session is asked THEN it is refused with a CredentialsError', async () => {
    const stranger = otherCa.issue('intruder', 'ec');
    await expect(createSession(options(stranger))).rejects.toThrow(
      new CredentialsError(
        'CreateSession answered HTTP 403: {"message":"certificate not issued by the trust anchor CA"}',
      ),
    );
  });

  test('GIVEN a signed request altered after signing WHEN sent THEN the stand-in refuses the signature', async () => {
    const signed = signCreateSession(options(rsa));
    const { host: _host, ...headers } = signed.headers;
    const tampered = signed.body.replace('"durationSeconds":900', '"durationSeconds":43200');
    const response = await fetch(signed.url, { method: 'POST', headers, body: tampered });
    expect(response.status).toBe(403);
    expect(standIn.refusals.at(-1)).toBe('signature does not verify with the certificate');
  });

  test('GIVEN a private key of another certificate WHEN signing THEN a CredentialsError says so, nothing is sent', () => {
    expect(() =>
      signCreateSession(options({ certificatePem: rsa.certificatePem, privateKeyPem: ec.privateKeyPem })),
    ).toThrow('private key does not belong to the certificate');
  });

  test('GIVEN a provider WHEN credentials near expiry THEN it renews them, and reuses them before', async () => {
    let now = new Date();
    const provider = rolesAnywhereProvider(options(ec), 5 * 60_000, () => now);
    const before = standIn.sessions.length;
    const first = await provider();
    now = new Date(first.expiration.getTime() - 6 * 60_000); // outside the 5-minute refresh window
    expect(await provider()).toBe(first);
    expect(standIn.sessions.length - before).toBe(1);
    now = new Date(first.expiration.getTime() - 4 * 60_000); // inside it
    const second = await provider();
    expect(second).not.toBe(first);
    expect(standIn.sessions.length - before).toBe(2);
  });

  describe('through the CLI', () => {
    let s3: S3TestServer;
    let work: { dir: string; remove: () => Promise<void> };
    let flags: string[];
    beforeAll(async () => {
      s3 = await startS3Server({ buckets: [BUCKET] });
      work = await tempDir();
      await writeFile(join(work.dir, 'host.pem'), ec.certificatePem);
      await writeFile(join(work.dir, 'host.key'), ec.privateKeyPem);
      flags = [
        '--certificate', 'host.pem', '--private-key', 'host.key',
        '--trust-anchor-arn', ARNS.trustAnchorArn, '--profile-arn', ARNS.profileArn, '--role-arn', ARNS.roleArn,
        '--roles-anywhere-endpoint', standIn.endpoint, '--region', 'eu-west-1',
      ]; // prettier-ignore
      // No static keys in this process: the uploader must get its credentials from Roles Anywhere.
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    });
    afterAll(async () => {
      await s3.stop();
      await work.remove();
    });

    test('WHEN credential-process runs THEN it prints the AWS CLI credential_process JSON', async () => {
      const run = await runCli(['credential-process', '--region', 'eu-west-1', ...flags], work.dir);
      expect(run.code).toBe(EXIT.ok);
      const out = JSON.parse(run.stdout);
      expect(out).toEqual({
        Version: 1,
        AccessKeyId: VENDED.accessKeyId,
        SecretAccessKey: VENDED.secretAccessKey,
        SessionToken: VENDED.sessionToken,
        Expiration: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
    });

    test('WHEN send runs with Roles Anywhere flags THEN the file is uploaded with the vended session', async () => {
      const body = 'id,temp\n1,3.5\n';
      await writeFile(join(work.dir, 'reading.csv'), body);
      const run = await runCli(['send', 'reading.csv', ...targetFlags(s3.endpoint), ...flags], work.dir);
      expect(run.code).toBe(EXIT.ok);
      expect((await s3.get(BUCKET, expectedKey('reading', '.csv', body)))?.toString()).toBe(body);
    });

    test('GIVEN a certificate the trust anchor refuses WHEN send runs THEN exit 5 and the file stays spooled', async () => {
      const stranger = otherCa.issue('intruder', 'rsa');
      await writeFile(join(work.dir, 'bad.pem'), stranger.certificatePem);
      await writeFile(join(work.dir, 'bad.key'), stranger.privateKeyPem);
      await writeFile(join(work.dir, 'later.csv'), 'id\n2\n');
      const bad = flags.map((f) => (f === 'host.pem' ? 'bad.pem' : f === 'host.key' ? 'bad.key' : f));
      const spool = ['--spool', 'refused-spool'];
      const run = await runCli(['send', 'later.csv', ...targetFlags(s3.endpoint), ...bad, ...spool], work.dir);
      expect(run.code).toBe(EXIT.credentials);
      const status = JSON.parse((await runCli(['status', ...spool], work.dir)).stdout);
      expect(status.sending.files + status.incoming.files).toBe(1);
      expect(status.failed.files).toBe(0);
    });
  });
});
