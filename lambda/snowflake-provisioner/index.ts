/**
 * Snowflake provisioner: the CDK Provider framework's onEvent and isComplete handlers. One resource
 * manages one Snowflake object (the custom resource's `kind` + `definition`), following the
 * lifecycle rules of snowflake/engine/lifecycle.ts. Physical id = the object's fully qualified name.
 *
 * One function serves both (createProviderHandler tells them apart). onEvent validates and answers at once (for a Create, it also checks the name is free unless
 * `adopt`, so a failed Create never names someone else's object); isComplete does the work and is
 * called again by the framework while the change reports "not finished yet" (RetryLaterError), so
 * long waits run across calls and no invocation waits past PROVISIONER_TIMING's budget.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import type { ApplyOptions } from '../../snowflake/engine/apply';
import { RetryLaterError, ObjectExistsError } from '../../snowflake/engine/errors';
import { createObject, deleteObject, updateObject } from '../../snowflake/engine/lifecycle';
import type { Outcome } from '../../snowflake/engine/lifecycle';
import type { SessionOptions, SnowflakeSession } from '../shared/snowflake/connection';
import { openSession } from '../shared/snowflake/connection';
import { PROVISIONER_SERVICE, PROVISIONER_TIMING } from '../../contracts/constants';
import { secretsManagerKeyStore } from './key-store';
import { parseRequest } from './request';
import type { ParsedRequest } from './request';

export interface ProvisionerResponse {
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, string>;
  /** Set for kinds whose attributes are secret (the storage integration's external id). */
  readonly NoEcho?: boolean;
}

/** Kinds whose attributes the Provider framework must redact from its logs and GetAtt output. */
const SECRET_ATTRIBUTE_KINDS = new Set(['storage-integration']);

export interface CompletionResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** What isComplete receives: the event plus onEvent's answer. */
export type CompletionEvent = CloudFormationCustomResourceEvent & {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
};

export interface HandlerOptions {
  readonly apply?: ApplyOptions;
  readonly session?: SessionOptions;
  readonly logger?: Logger;
  /** Waiting budget of one invocation without a Lambda context (tests). @default from PROVISIONER_TIMING */
  readonly budgetMs?: number;
}

/** onEvent's Data key: whether the object's name was taken when a Create (or a rename) began. */
export const EXISTED_KEY = 'ExistedBeforeChange';

/** Builds onEvent and isComplete; tests pass short timings. */
export function createHandlers(options: HandlerOptions = {}) {
  const logger = options.logger ?? new Logger({ serviceName: PROVISIONER_SERVICE });
  const defaultBudget =
    options.budgetMs ?? PROVISIONER_TIMING.lambdaTimeoutSeconds * 1000 * PROVISIONER_TIMING.invocationBudgetFraction;

  const begin = (event: CloudFormationCustomResourceEvent) => {
    logger.resetKeys();
    logger.appendKeys({
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      requestId: event.RequestId,
    });
  };

  /** Parses the event; `undefined` for a Delete whose properties no longer validate (retained). */
  const parse = (event: CloudFormationCustomResourceEvent): ParsedRequest | undefined => {
    try {
      const req = parseRequest(event.ResourceProperties, event.LogicalResourceId);
      logger.appendKeys({ kind: req.kind.kind, object: req.kind.physicalId(req.definition) });
      return req;
    } catch (error) {
      // Never block a Delete on properties this version no longer accepts: without a valid
      // definition nothing can be dropped safely, so the object is retained (and logged).
      if (event.RequestType !== 'Delete') throw error;
      logger.error('delete: invalid properties, object retained', {
        error: error as Error,
        physicalId: event.PhysicalResourceId,
      });
      return undefined;
    }
  };

  const withSession = async <T>(req: ParsedRequest, work: (session: SnowflakeSession) => Promise<T>): Promise<T> => {
    const session = await openSession(req.connection, {
      ...options.session,
      onStatement: (sql) => logger.debug('statement', { sql }),
    });
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  };

  async function onEvent(event: CloudFormationCustomResourceEvent): Promise<ProvisionerResponse> {
    begin(event);
    const req = parse(event);
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId, Data: {} };
    if (!req) throw new Error('unreachable: only a Delete may carry invalid properties');
    const object = req.kind.physicalId(req.definition);
    // NoEcho travels with the request to isComplete: the framework then redacts Data in its logs.
    const noEcho = SECRET_ATTRIBUTE_KINDS.has(req.kind.kind) ? { NoEcho: true } : {};
    if (event.RequestType === 'Update') {
      const old = safeOldKind(event.OldResourceProperties);
      if (old && old !== req.kind.kind)
        throw new Error(
          `${event.LogicalResourceId}: kind cannot change from ${old} to ${req.kind.kind}; use a new construct id`,
        );
      if (object === event.PhysicalResourceId) return { PhysicalResourceId: object, Data: {}, ...noEcho };
    }
    // A new name (Create or rename): is it free? A taken name fails here, before CloudFormation
    // records it as this resource's physical id (whose Delete could otherwise drop another's object).
    const existed = await withSession(
      req,
      async (session) => (await req.kind.read(req.definition, session)) !== undefined,
    );
    if (existed && !req.adopt && event.RequestType === 'Create') throw new ObjectExistsError(object, req.kind.label);
    return { PhysicalResourceId: object, Data: { [EXISTED_KEY]: String(existed) }, ...noEcho };
  }

  async function isComplete(event: CompletionEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
    begin(event);
    const req = parse(event);
    const physicalId = event.PhysicalResourceId;
    if (!req) return { IsComplete: true } satisfies CompletionResponse;
    const object = req.kind.physicalId(req.definition);
    // A Delete that names another object (e.g. the failed-Create marker) never needs a session.
    if (event.RequestType === 'Delete' && physicalId !== object) {
      logger.info('delete ignored: physical id does not name the object', { physicalId });
      return { IsComplete: true } satisfies CompletionResponse;
    }
    const budget = context
      ? context.getRemainingTimeInMillis() * PROVISIONER_TIMING.invocationBudgetFraction
      : defaultBudget;
    const apply: ApplyOptions = {
      keyStore: secretsManagerKeyStore,
      ...options.apply,
      deadline: Date.now() + budget,
      log: (message, fields) => logger.info(message, fields),
    };
    const existedFlag = event.Data?.[EXISTED_KEY];
    const existedBefore = existedFlag === undefined ? undefined : existedFlag === 'true';
    let outcome: Outcome;
    try {
      outcome = await withSession(req, (session) => {
        if (event.RequestType === 'Create') return createObject(session, req, apply, existedBefore);
        if (event.RequestType === 'Update') {
          const previous = previousDefinition(event.OldResourceProperties, event.LogicalResourceId);
          return updateObject(session, physicalId, req, apply, previous, existedBefore);
        }
        return deleteObject(session, physicalId, req, apply);
      });
    } catch (error) {
      if (error instanceof RetryLaterError) {
        logger.warn('change not finished yet: the provider calls again', { reason: error.message });
        return { IsComplete: false } satisfies CompletionResponse;
      }
      logger.error('change failed', { error: error as Error });
      throw error;
    }
    logger.info('change applied', { change: outcome.change, statements: outcome.statements, notes: outcome.notes });
    return {
      IsComplete: true,
      Data: { ...outcome.attributes, ChangeKind: outcome.change },
    } satisfies CompletionResponse;
  }

  return { onEvent, isComplete };
}

/**
 * onEvent then isComplete until complete, in one process: what the Provider framework does across
 * invocations (tests and local tools). Between "not yet" answers it sleeps `apply.sleep(0)`.
 */
export function createHandler(options: HandlerOptions & { maxCompletionCalls?: number } = {}) {
  const { onEvent, isComplete } = createHandlers(options);
  return async function handler(event: CloudFormationCustomResourceEvent): Promise<ProvisionerResponse> {
    const started = await onEvent(event);
    const request = { ...event, PhysicalResourceId: started.PhysicalResourceId, Data: started.Data } as CompletionEvent;
    for (let call = 1; call <= (options.maxCompletionCalls ?? 20); call++) {
      const done = await isComplete(request);
      if (done.IsComplete)
        return { PhysicalResourceId: started.PhysicalResourceId, Data: { ...started.Data, ...done.Data } };
      await (options.apply?.sleep ?? (async () => undefined))(0);
    }
    throw new Error(
      `${event.LogicalResourceId}: not complete after ${options.maxCompletionCalls ?? 20} isComplete calls`,
    );
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

/**
 * isComplete requests carry onEvent's answer (`Data`, which onEvent always returns); CloudFormation's
 * requests to onEvent never have it.
 */
export function isCompletionRequest(event: object): event is CompletionEvent {
  return 'Data' in event && 'PhysicalResourceId' in event;
}

/**
 * The function the Provider framework invokes as both onEvent and isComplete (one function, one
 * grant on the key secret).
 */
export function createProviderHandler(options: HandlerOptions = {}) {
  const { onEvent, isComplete } = createHandlers(options);
  return (event: CloudFormationCustomResourceEvent | CompletionEvent, context?: Context) =>
    isCompletionRequest(event) ? isComplete(event, context) : onEvent(event);
}

export const handler = createProviderHandler();
