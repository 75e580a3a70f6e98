/**
 * Snowflake provisioner: the CDK Provider framework's onEvent handler. One invocation manages one
 * Snowflake object (the custom resource's `kind` + `definition`), following the lifecycle rules of
 * snowflake/engine/lifecycle.ts. Physical id = the object's fully qualified name.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { ApplyOptions } from '../../snowflake/engine/apply';
import { createObject, deleteObject, updateObject } from '../../snowflake/engine/lifecycle';
import type { Outcome } from '../../snowflake/engine/lifecycle';
import type { SessionOptions, SnowflakeSession } from '../shared/snowflake/connection';
import { openSession } from '../shared/snowflake/connection';
import { PROVISIONER_SERVICE } from '../../contracts/constants';
import { parseRequest } from './request';

export interface ProvisionerResponse {
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, string>;
}

export interface HandlerOptions {
  readonly apply?: ApplyOptions;
  readonly session?: SessionOptions;
  readonly logger?: Logger;
}

/** Builds the handler; tests pass short timings. */
export function createHandler(options: HandlerOptions = {}) {
  const logger = options.logger ?? new Logger({ serviceName: PROVISIONER_SERVICE });
  return async function handler(event: CloudFormationCustomResourceEvent): Promise<ProvisionerResponse> {
    const physicalId = event.RequestType === 'Create' ? undefined : event.PhysicalResourceId;
    logger.resetKeys();
    logger.appendKeys({
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      requestId: event.RequestId,
    });
    let req;
    try {
      req = parseRequest(event.ResourceProperties, event.LogicalResourceId);
    } catch (error) {
      // Never block a Delete on properties this version no longer accepts: without a valid
      // definition nothing can be dropped safely, so the object is retained (and logged).
      if (event.RequestType !== 'Delete') throw error;
      logger.error('delete: invalid properties, object retained', { error: error as Error, physicalId });
      return { PhysicalResourceId: physicalId!, Data: {} };
    }
    const object = req.kind.physicalId(req.definition);
    logger.appendKeys({ kind: req.kind.kind, object });

    let previous: unknown;
    if (event.RequestType === 'Update') {
      const old = safeOldKind(event.OldResourceProperties);
      if (old && old !== req.kind.kind)
        throw new Error(
          `${event.LogicalResourceId}: kind cannot change from ${old} to ${req.kind.kind}; use a new construct id`,
        );
      previous = previousDefinition(event.OldResourceProperties, event.LogicalResourceId);
    }
    // A Delete that names another object (e.g. the failed-Create marker) never needs a session.
    if (event.RequestType === 'Delete' && physicalId !== object) {
      logger.info('delete ignored: physical id does not name the object', { physicalId });
      return { PhysicalResourceId: physicalId!, Data: {} };
    }

    const apply: ApplyOptions = {
      ...options.apply,
      ...(req.pipeDrainTimeoutSeconds !== undefined ? { drainTimeoutMs: req.pipeDrainTimeoutSeconds * 1000 } : {}),
      log: (message, fields) => logger.info(message, fields),
    };
    const session: SnowflakeSession = await openSession(req.connection, {
      ...options.session,
      onStatement: (sql) => logger.debug('statement', { sql }),
    });
    let outcome: Outcome;
    try {
      if (event.RequestType === 'Create') outcome = await createObject(session, req, apply);
      else if (event.RequestType === 'Update') outcome = await updateObject(session, physicalId!, req, apply, previous);
      else outcome = await deleteObject(session, physicalId!, req, apply);
    } catch (error) {
      logger.error('change failed', { error: error as Error });
      throw error;
    } finally {
      await session.close();
    }
    logger.info('change applied', { change: outcome.change, statements: outcome.statements, notes: outcome.notes });
    return { PhysicalResourceId: outcome.physicalId, Data: { ...outcome.attributes, ChangeKind: outcome.change } };
  };
}

/** The previous definition, when it still validates (an older, now-invalid one is simply not passed). */
function previousDefinition(props: unknown, logicalId: string): unknown {
  try {
    return parseRequest(props, logicalId, 'OldResourceProperties').definition;
  } catch {
    return undefined;
  }
}

function safeOldKind(props: unknown): string | undefined {
  const kind = (props as { kind?: unknown } | undefined)?.kind;
  return typeof kind === 'string' ? kind : undefined;
}

export const handler = createHandler();
