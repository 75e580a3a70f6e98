/**
 * Throw-away X.509 material for tests, made with the `openssl` command in a temporary folder: a CA and
 * client certificates it issues (RSA or EC keys). Nothing here is trusted by anything outside a test.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface TestCa {
  readonly certificatePem: string;
  /** Issues a client certificate with this subject CN; `key` picks RSA (2048) or EC (P-256). */
  issue(commonName: string, key: 'rsa' | 'ec'): { certificatePem: string; privateKeyPem: string };
  dispose(): void;
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

export function createTestCa(commonName = 'test-producer-ca'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'));
  openssl(dir, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
  let serial = 1000;
  return {
    certificatePem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    issue(cn, key) {
      const name = `client-${serial}`;
      const newkey =
        key === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
      openssl(dir, ['req', ...newkey, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
      openssl(dir, [
        'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(serial++),
        '-out', `${name}.pem`, '-days', '1',
      ]); // prettier-ignore
      return {
        certificatePem: readFileSync(join(dir, `${name}.pem`), 'utf8'),
        privateKeyPem: readFileSync(join(dir, `${name}.key`), 'utf8'),
      };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
