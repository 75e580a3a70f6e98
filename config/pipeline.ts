/**
 * Example project configuration: edit this file (or point PIPELINE_CONFIG at your own module or
 * JSON file). It is validated by contracts/config.ts at synth time; an invalid field fails `cdk synth`
 * with a message naming its path, e.g. `datasets[2].name: must match ^[a-z][a-z0-9_]{0,62}$`.
 *
 * The account ids, ARNs and Snowflake names below are placeholders.
 */
const producerAccount = '333333333333';

export default {
  project: 'ingest',
  sources: [
    { name: 'airbnb', principals: [`arn:aws:iam::${producerAccount}:role/airbnb-exporter`], datasets: ['listings'] },
    { name: 'weather', principals: [`arn:aws:iam::${producerAccount}:role/weather-collector`], datasets: ['weather'] },
    { name: 'webapp', principals: [`arn:aws:iam::${producerAccount}:role/event-shipper`], datasets: ['events'] },
    {
      name: 'retail',
      principals: [`arn:aws:iam::${producerAccount}:role/retail-export`],
      datasets: ['retail_users', 'retail_transactions'],
    },
    {
      name: 'insurance',
      principals: [`arn:aws:iam::${producerAccount}:role/insurance-export`],
      datasets: ['insurance_customers', 'insurance_products', 'insurance_transactions'],
    },
  ],
  datasets: [
    {
      name: 'listings',
      description: 'Airbnb listings (CSV export, one row per listing snapshot).',
      format: 'csv',
      columns: [
        { name: 'id', type: 'NUMBER(38,0)' },
        { name: 'name', type: 'VARCHAR' },
        { name: 'host_id', type: 'NUMBER(38,0)' },
        { name: 'host_name', type: 'VARCHAR' },
        { name: 'neighbourhood_group', type: 'VARCHAR' },
        { name: 'neighbourhood', type: 'VARCHAR' },
        { name: 'latitude', type: 'NUMBER(10,6)' },
        { name: 'longitude', type: 'NUMBER(10,6)' },
        { name: 'room_type', type: 'VARCHAR' },
        { name: 'price', type: 'NUMBER(12,2)' },
        { name: 'minimum_nights', type: 'NUMBER(10,0)' },
        { name: 'number_of_reviews', type: 'NUMBER(10,0)' },
        { name: 'last_review', type: 'DATE' },
        { name: 'reviews_per_month', type: 'NUMBER(10,2)' },
        { name: 'availability_365', type: 'NUMBER(5,0)' },
      ],
      primaryKey: ['id'],
    },
    {
      name: 'weather',
      description: 'Per-customer weather observations (JSON array per customer and location).',
      format: 'json',
      columns: [
        { name: 'customer_id', type: 'VARCHAR' },
        { name: 'location', type: 'VARCHAR', path: 'location.name' },
        { name: 'latitude', type: 'NUMBER(10,6)', path: 'location.lat' },
        { name: 'longitude', type: 'NUMBER(10,6)', path: 'location.lon' },
        { name: 'observed_at', type: 'TIMESTAMP_NTZ' },
        { name: 'temperature_c', type: 'NUMBER(6,2)', path: 'main.temp' },
        { name: 'humidity', type: 'NUMBER(5,2)', path: 'main.humidity' },
        { name: 'conditions', type: 'VARCHAR', path: 'weather[0].description' },
      ],
      primaryKey: ['customer_id', 'location', 'observed_at'],
    },
    {
      name: 'events',
      description: 'Product analytics events (NDJSON, one event per line).',
      format: 'ndjson',
      columns: [
        { name: 'event_id', type: 'VARCHAR' },
        { name: 'organization_id', type: 'VARCHAR' },
        { name: 'user_id', type: 'VARCHAR' },
        { name: 'event_type', type: 'VARCHAR', path: 'type' },
        { name: 'occurred_at', type: 'TIMESTAMP_TZ', path: 'timestamp' },
        { name: 'properties', type: 'VARIANT' },
      ],
      primaryKey: ['event_id'],
    },
    {
      name: 'retail_users',
      description: 'Retail users (CSV, full or incremental exports).',
      format: 'csv',
      columns: [
        { name: 'user_id', type: 'NUMBER(38,0)' },
        { name: 'name', type: 'VARCHAR' },
        { name: 'email', type: 'VARCHAR' },
        { name: 'country', type: 'VARCHAR(2)' },
        { name: 'signup_date', type: 'DATE' },
        { name: 'updated_at', type: 'TIMESTAMP_NTZ' },
      ],
      primaryKey: ['user_id'],
      orderBy: 'updated_at',
    },
    {
      name: 'retail_transactions',
      description: 'Retail transactions (JSON array).',
      format: 'json',
      columns: [
        { name: 'transaction_id', type: 'VARCHAR' },
        { name: 'user_id', type: 'NUMBER(38,0)' },
        { name: 'amount', type: 'NUMBER(12,2)' },
        { name: 'currency', type: 'VARCHAR(3)' },
        { name: 'created_at', type: 'TIMESTAMP_NTZ' },
      ],
      primaryKey: ['transaction_id'],
    },
    {
      name: 'insurance_customers',
      format: 'csv',
      columns: [
        { name: 'customer_id', type: 'VARCHAR' },
        { name: 'first_name', type: 'VARCHAR' },
        { name: 'last_name', type: 'VARCHAR' },
        { name: 'email', type: 'VARCHAR' },
        { name: 'date_of_birth', type: 'DATE' },
        { name: 'region', type: 'VARCHAR' },
      ],
      primaryKey: ['customer_id'],
    },
    {
      name: 'insurance_products',
      format: 'csv',
      columns: [
        { name: 'product_id', type: 'VARCHAR' },
        { name: 'product_name', type: 'VARCHAR', path: 'name' },
        { name: 'category', type: 'VARCHAR' },
        { name: 'monthly_premium', type: 'NUMBER(10,2)' },
      ],
      primaryKey: ['product_id'],
    },
    {
      name: 'insurance_transactions',
      description: 'Insurance purchases with a nested basket of products (JSON array).',
      format: 'json',
      columns: [
        { name: 'transaction_id', type: 'VARCHAR' },
        { name: 'customer_id', type: 'VARCHAR' },
        { name: 'transaction_at', type: 'TIMESTAMP_NTZ' },
        { name: 'basket', type: 'ARRAY' },
        { name: 'total', type: 'NUMBER(12,2)' },
      ],
      primaryKey: ['transaction_id'],
    },
  ],
  environments: [
    {
      name: 'dev',
      account: '111111111111',
      region: 'eu-west-1',
      removalPolicy: 'destroy',
      retention: { stageExpireDays: 14, logRetentionDays: 14 },
      snowflake: {
        account: 'MYORG-DEV',
        user: 'PIPELINE_DEPLOYER',
        role: 'PIPELINE_ADMIN',
        warehouse: 'PIPELINE_WH',
        database: 'INGEST_DEV',
        privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snowflake/pipeline-deployer-AbCdEf',
      },
      alarms: { emails: ['data-platform-dev@example.com'] },
    },
    {
      name: 'prod',
      account: '222222222222',
      region: 'eu-west-1',
      removalPolicy: 'retain',
      retention: {
        archiveInfrequentAccessDays: 30,
        archiveGlacierDays: 180,
        stageExpireDays: 30,
        logRetentionDays: 90,
      },
      ingestion: { maxConcurrency: 50 },
      snowflake: {
        account: 'MYORG-PROD',
        user: 'PIPELINE_DEPLOYER',
        role: 'PIPELINE_ADMIN',
        warehouse: 'PIPELINE_WH',
        database: 'INGEST',
        privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:snowflake/pipeline-deployer-GhIjKl',
        // The health monitor and pipe refresher sign in as their own user and role (README: deploy).
        monitor: {
          user: 'PIPELINE_MONITOR',
          role: 'PIPELINE_MONITOR',
          privateKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:snowflake/pipeline-monitor-MnOpQr',
        },
      },
      alarms: { emails: ['data-platform-oncall@example.com'] },
    },
  ],
};
