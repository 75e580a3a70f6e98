/**
 * Errors that rewrite a caught error's message keep the caught error as `cause` (issue 13): the
 * Snowflake session wrapper (the driver's error) and the config loader (the parser's / schema's error).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ConfigError } from '../../../contracts/config';
import { openSession } from '../../../lambda/shared/snowflake/connection';
import type { SnowflakeSession } from '../../../lambda/shared/snowflake/connection';
import { SnowflakeQueryError } from '../../../lambda/shared/snowflake/errors';
import { readPipelineConfig } from '../../../lib/config-file';
import { startHarness } from '../snowflake-provisioner/harness';
import type { Harness } from '../snowflake-provisioner/harness';

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
};

describe('GIVEN a Snowflake session whose statement fails', () => {
  let h: Harness;
  let session: SnowflakeSession;
  beforeAll(async () => {
    h = await startHarness();
    session = await openSession(h.connection as never, { attempts: 1 });
  });
  afterAll(async () => {
    await session.close();
    await h.stop();
  });

  test('WHEN queried THEN SnowflakeQueryError keeps the driver error (code, SQLSTATE, message) as cause', async () => {
    const injected = { code: '002003', sqlState: '42S02', message: "Table 'NOPE' does not exist or not authorized." };
    h.snowflake.failOn({ match: /FROM nope/i, ...injected });

    const error = await rejection(session.query('SELECT * FROM nope'));

    expect(error).toBeInstanceOf(SnowflakeQueryError);
    expect((error as SnowflakeQueryError).code).toBe('002003');
    const cause = error.cause as Error & { code?: unknown; sqlState?: string };
    expect(cause).toBeInstanceOf(Error);
    expect(cause).not.toBeInstanceOf(SnowflakeQueryError);
    expect(String(cause.code)).toBe(injected.code);
    expect(cause.sqlState).toBe(injected.sqlState);
    expect(cause.message).toContain(injected.message);
  });
});

describe('GIVEN a config file the loader rejects', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'error-cause-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('WHEN it is not valid JSON THEN ConfigError names the file and keeps the SyntaxError as cause', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"project": ');

    const error = thrown(() => readPipelineConfig(file));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(file);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  test('WHEN it fails the schema THEN ConfigError names the file and keeps the schema ConfigError as cause', () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ project: 5 }));

    const error = thrown(() => readPipelineConfig(file));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`pipeline config ${file}`);
    const cause = error.cause as ConfigError;
    expect(cause).toBeInstanceOf(ConfigError);
    expect(cause).not.toBe(error);
    expect(cause.problems).toEqual((error as ConfigError).problems);
    expect(cause.message).not.toContain(file);
  });
});
