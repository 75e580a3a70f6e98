/**
 * A deployment for a test file: the harness (Snowflake-protocol and Secrets Manager test servers), the
 * real provider handler, and every object of a set created through it once, before the file's tests.
 */
import { createHandler } from '../../../lambda/snowflake-provisioner/index';
import type { ProvisionerResponse } from '../../../lambda/snowflake-provisioner/index';
import type { IngestionObject } from '../../../snowflake/ingestion-objects';
import { cfnEvent, startHarness } from './harness';
import type { Harness } from './harness';
import { props } from './objects';

export interface SendOptions {
  /** An Update's old version (its properties become OldResourceProperties). @default the new properties */
  readonly old?: IngestionObject;
  /** Properties added to the object's (and to the old version's), e.g. `removalPolicy`. @default none */
  readonly extra?: Record<string, unknown>;
}

export interface Deployment {
  /** The harness of the running file (set in its beforeAll). */
  readonly h: Harness;
  /** Each created object's physical id, by logical id. */
  readonly physical: Record<string, string>;
  /**
   * Sends a Create, Update or Delete of `o` to the provider handler (an Update or Delete names the physical id
   * its Create returned, else the logical id) and returns its completed response.
   */
  readonly send: (
    type: 'Create' | 'Update' | 'Delete',
    o: IngestionObject,
    options?: SendOptions,
  ) => Promise<ProvisionerResponse>;
}

/**
 * Registers, for the calling file: before all tests, the harness started, `beforeCreate` run on it, and every
 * object `objects()` gives created in order; after all, the harness stopped; before each test, the
 * statement log cleared.
 */
export function useDeployment(
  objects: () => Iterable<IngestionObject>,
  beforeCreate: (h: Harness) => void = () => undefined,
): Deployment {
  let h: Harness | undefined;
  let handler: ReturnType<typeof createHandler> | undefined;
  const started = () => {
    if (!h || !handler) throw new Error('the deployment was used outside its tests (no harness yet)');
    return { h, handler };
  };
  const physical: Record<string, string> = {};
  const deployment: Deployment = {
    get h() {
      return started().h;
    },
    physical,
    send: (type, o, { old, extra = {} } = {}) => {
      const { h: harness, handler: handle } = started();
      return handle(
        cfnEvent(
          type,
          o.id,
          props(harness.connection, o, extra),
          type === 'Create' ? undefined : (physical[o.id] ?? o.id),
          old ? props(harness.connection, old, extra) : undefined,
        ),
      );
    },
  };

  beforeAll(async () => {
    h = await startHarness();
    handler = createHandler({ session: { attempts: 1 }, apply: { sleep: async () => undefined } });
    beforeCreate(h);
    for (const o of objects()) physical[o.id] = (await deployment.send('Create', o)).PhysicalResourceId;
  });
  afterAll(() => h?.stop());
  beforeEach(() => started().h.snowflake.clearLog());
  return deployment;
}
