/**
 * The run shared by the scheduled Snowflake functions (health monitor, pipe refresher): a
 * Powertools logger and EMF metrics under the function's service name (namespace
 * METRICS_NAMESPACE, dimension environment), and one Snowflake session per invocation that logs
 * each statement at debug, is closed at the end, and after which the stored metrics are published
 * (also when the run fails). A run that cannot connect fails (Lambda Errors).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '../../contracts/constants';
import { openSession, type ConnectionSettings, type SnowflakeSession } from './snowflake/connection';

export interface ScheduledSnowflakeRun {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Opens a session, runs `work` on it, then publishes the stored metrics and closes the session. */
  readonly withSession: <T>(work: (session: SnowflakeSession) => Promise<T>) => Promise<T>;
}

export function scheduledSnowflakeRun(
  serviceName: string,
  settings: { readonly connection: ConnectionSettings; readonly environmentName: string },
): ScheduledSnowflakeRun {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName,
    defaultDimensions: { environment: settings.environmentName },
  });
  return {
    logger,
    metrics,
    withSession: async (work) => {
      let session: SnowflakeSession | undefined;
      try {
        session = await openSession(settings.connection, {
          onStatement: (sql) => logger.debug('statement', { sql }),
        });
        return await work(session);
      } finally {
        metrics.publishStoredMetrics();
        await session?.close();
      }
    },
  };
}
