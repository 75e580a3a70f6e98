import { loadConfig } from '../../contracts/config';
import { createTestCa } from '../support/certificates';
import { rawExampleConfig } from './helpers';

describe('config: how a source authenticates', () => {
  const ca = createTestCa();
  afterAll(() => ca.dispose());

  test('GIVEN a source with only rolesAnywhere WHEN loaded THEN it is valid and keeps the CA and CNs', () => {
    const raw = rawExampleConfig();
    raw.sources[0] = {
      name: 'collector',
      datasets: ['weather'],
      rolesAnywhere: { caCertificate: ca.certificatePem, subjectCommonNames: ['host-1'] },
    } as never;
    const config = loadConfig(raw);
    expect(config.sources[0].principals).toBeUndefined();
    expect(config.sources[0].rolesAnywhere).toEqual({
      caCertificate: ca.certificatePem,
      subjectCommonNames: ['host-1'],
    });
  });

  test('GIVEN a source with neither principals nor rolesAnywhere WHEN loaded THEN the error names the source path', () => {
    const raw = rawExampleConfig();
    raw.sources[0] = { name: 'collector', datasets: ['weather'] } as never;
    expect(() => loadConfig(raw)).toThrow(
      'sources[0](collector).principals: must list at least one principal, or configure rolesAnywhere (a source needs a way to authenticate)',
    );
  });

  test('GIVEN a bad CA certificate or session length WHEN loaded THEN each problem names its field', () => {
    const raw = rawExampleConfig();
    raw.sources[0] = {
      name: 'collector',
      rolesAnywhere: { caCertificate: 'AKIA-not-a-cert', sessionDurationSeconds: 60 },
    } as never;
    expect(() => loadConfig(raw)).toThrow(
      /sources\[0\]\(collector\)\.rolesAnywhere\.caCertificate: must be a PEM certificate .* \(got "AKIA-not-a-cert"\)/,
    );
    expect(() => loadConfig(raw)).toThrow(
      /sources\[0\]\(collector\)\.rolesAnywhere\.sessionDurationSeconds: .* \(got 60\)/,
    );
  });
});
