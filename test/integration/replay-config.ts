/**
 * The pipeline config the replay tests write to a file for `--config`: their sources and datasets,
 * and one `dev` environment (the replay reads its region; Snowflake is never contacted).
 */

/** A raw (unvalidated) config with `sources` and `datasets` and the `dev` environment. */
export function replayTestConfig(sources: readonly object[], datasets: readonly object[]) {
  return {
    project: 'ingest',
    sources,
    datasets,
    environments: [
      {
        name: 'dev',
        account: '111111111111',
        region: 'eu-west-1',
        removalPolicy: 'destroy',
        snowflake: {
          account: 'ORG-DEV',
          user: 'U',
          role: 'R',
          warehouse: 'W',
          database: 'D',
          privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:k-AbCdEf',
        },
      },
    ],
  };
}
