/**
 * The provisioning engine's vocabulary: what a kind of Snowflake object must provide (read its
 * current state, plan a change, drop it), the plan it returns and the session it runs on.
 * Pure TypeScript: the Lambda handler supplies a real session, tests a scripted one.
 */
import type { z } from 'zod';
import type { Row, SqlSession } from '../../contracts/sql-session';

/** The row and session types (contracts/sql-session.ts); sessions throw a {@link SqlErrorLike}. */
export type { Row, SqlSession };

/** What the engine needs to know about a failed statement. */
export interface SqlErrorLike extends Error {
  /** Snowflake error code, e.g. `002003`. */
  readonly code?: string;
  readonly sqlState?: string;
  /** Snowflake's own message, when `message` also repeats the statement. */
  readonly detail?: string;
}

/**
 * How an object changes:
 * - `create`: it did not exist;
 * - `adopt`: it existed and `adopt` was set: converged to the definition, never dropped by the stack;
 * - `alter`: changed in place (ALTER), history and data kept;
 * - `replace`: a stateless object recreated atomically (CREATE OR REPLACE);
 * - `replace-by-procedure`: recreated following a safe procedure (pipes: pause, record the refresh
 *   instant, recreate, resume, refresh);
 * - `no-op`: already as defined, no DDL;
 * - `drop` / `retain`: the outcomes of a Delete.
 */
export type ChangeKind =
  'create' | 'adopt' | 'alter' | 'replace' | 'replace-by-procedure' | 'no-op' | 'drop' | 'retain';

/** A DDL statement of a plan. */
export interface SqlStep {
  readonly type: 'sql';
  readonly sql: string;
  /**
   * Statement(s) that restore the previous state if a later step fails (e.g. resume a paused pipe);
   * several run in the order given. Undo groups run last-registered first.
   */
  readonly undo?: string | readonly string[];
  /** Once this step succeeds, the pending undo statements no longer apply (the old object is gone). */
  readonly settlesUndo?: boolean;
  /** Records the moment just before this statement runs as the pause time (see `mark-refresh-from`). */
  readonly marksPause?: boolean;
  /** The statement contains REFRESH_FROM_PLACEHOLDER, replaced by the instant `mark-refresh-from` recorded. */
  readonly usesRefreshFrom?: boolean;
  /**
   * Snowflake checks the storage integration's AWS role here: retry on access errors (bounded) while
   * the IAM trust policy propagates.
   */
  readonly retryOnAccessError?: boolean;
}

/**
 * After a pipe is paused: read SYSTEM$PIPE_STATUS, compute the instant from which staged files are
 * re-examined (pipe.ts refreshInstant: before the oldest pending file, the pause and any instant
 * `recorded` earlier) and keep it in the pipe's comment (`comment` + marker), where a retry and a
 * rollback find it. Later steps with `usesRefreshFrom` get it substituted for the placeholder.
 */
export interface MarkRefreshFromStep {
  readonly type: 'mark-refresh-from';
  /** Quoted fully qualified pipe name. */
  readonly pipe: string;
  /** The pipe's current comment (user text) that the marker is appended to. */
  readonly comment?: string;
  /** An instant recorded by an earlier attempt; the new one is never later. */
  readonly recorded: string | null;
}

/**
 * `ALTER PIPE … REFRESH MODIFIED_AFTER = <instant>` (the instant marked by this plan, or `recorded`).
 * A failure is retried (the provider calls again; the marker keeps the instant).
 */
export interface RefreshFromMarkStep {
  readonly type: 'refresh-from-mark';
  readonly pipe: string;
  readonly recorded?: string;
}

/**
 * Generates an RSA key pair for a service user and installs it without a moment when the user and the
 * secret disagree: `ALTER USER … SET RSA_PUBLIC_KEY_2`, the private key written to the secret (ApplyOptions
 * `keyStore`), `SET RSA_PUBLIC_KEY`, `UNSET RSA_PUBLIC_KEY_2`. The private key is never logged or returned.
 */
export interface InstallKeyPairStep {
  readonly type: 'install-key-pair';
  /** Quoted user name. */
  readonly user: string;
  readonly privateKeySecretArn: string;
}

export type Step = SqlStep | MarkRefreshFromStep | RefreshFromMarkStep | InstallKeyPairStep;

/** The planner's answer for one object. */
export interface Plan {
  readonly change: ChangeKind;
  readonly steps: readonly Step[];
  /** Human-readable facts about the change (why a replacement, what is kept). */
  readonly notes: readonly string[];
}

/** Context the planner may need beyond current and desired state. */
export interface PlanContext {
  /** The previous definition on an Update (CloudFormation's OldResourceProperties). */
  readonly previous?: unknown;
}

/**
 * A kind of Snowflake object. Adding a kind (table, stream, task, view, role, grant) means writing
 * one of these and registering it in `kinds/registry.ts`; the engine, the handler and the offline
 * plan then support it unchanged.
 */
export interface ObjectKind<D, S> {
  /** Registry key, the `kind` resource property (e.g. `pipe`). */
  readonly kind: string;
  /** Human name used in messages (e.g. `pipe`, `storage integration`). */
  readonly label: string;
  /**
   * Carries data, state or history that a re-creation loses (tables, schemas, databases; a stage and
   * the integrations the IAM trust names; a file format pipes use; a pipe's load history; a stream's
   * offset; a task's run history): left untouched on Delete unless the removal policy is `destroy`.
   */
  readonly dataBearing: boolean;
  /**
   * Validates a definition. Accepts CloudFormation's stringly-typed values (`"true"`, `"5"`) as well
   * as native ones.
   */
  readonly schema: z.ZodType<D>;
  /** Fully qualified canonical name (`DB.SCHEMA.NAME`, or `NAME` for account objects): the physical id. */
  physicalId(definition: D): string;
  /** Reads the current state with SHOW / DESC; `undefined` when the object does not exist. */
  read(definition: D, session: SqlSession): Promise<S | undefined>;
  /** Statements that bring `current` (undefined: absent) to `desired`. Pure. */
  plan(current: S | undefined, desired: D, context?: PlanContext): Plan;
  /** The DROP statement (IF EXISTS). */
  drop(definition: D): string;
  /** Values exposed as custom resource attributes, from the state read after the change. */
  attributes(definition: D, state: S): Record<string, string>;
}

/** An object kind with its types erased, as stored in the registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyObjectKind = ObjectKind<any, any>;
