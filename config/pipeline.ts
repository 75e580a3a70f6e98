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
    { name: 'fleet', principals: [`arn:aws:iam::${producerAccount}:role/fleet-events`], datasets: ['fleet_events'] },
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
      description:
        'OpenMeteo current-weather responses, one per customer and location (the collector adds customer_id).',
      format: 'json',
      columns: [
        { name: 'customer_id', type: 'VARCHAR' },
        { name: 'latitude', type: 'NUMBER(9,6)' },
        { name: 'longitude', type: 'NUMBER(9,6)' },
        { name: 'timezone', type: 'VARCHAR' },
        { name: 'elevation', type: 'NUMBER(7,1)' },
        { name: 'observed_at', type: 'TIMESTAMP_NTZ', path: 'current_weather.time' },
        { name: 'temperature_c', type: 'NUMBER(5,1)', path: 'current_weather.temperature' },
        { name: 'windspeed_kmh', type: 'NUMBER(6,1)', path: 'current_weather.windspeed' },
        { name: 'winddirection', type: 'NUMBER(3,0)', path: 'current_weather.winddirection' },
        { name: 'weathercode', type: 'NUMBER(3,0)', path: 'current_weather.weathercode' },
        { name: 'is_day', type: 'NUMBER(1,0)', path: 'current_weather.is_day' },
        { name: 'version', type: 'NUMBER(10,0)', description: 'Correction version (absent = original).' },
      ],
      primaryKey: ['customer_id', 'latitude', 'longitude', 'observed_at'],
      // A correction carries a higher version: it wins whatever the upload order.
      orderBy: 'version',
      entities: [
        { name: 'customers', key: ['customer_id'], seenBy: 'observed_at' },
        {
          name: 'locations',
          key: ['customer_id', 'latitude', 'longitude'],
          columns: ['timezone', 'elevation'],
          seenBy: 'observed_at',
        },
        {
          name: 'current_weather',
          key: ['customer_id', 'latitude', 'longitude'],
          columns: ['observed_at', 'temperature_c', 'windspeed_kmh', 'winddirection', 'weathercode', 'is_day'],
          seenBy: 'observed_at',
        },
      ],
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
      name: 'fleet_events',
      description: 'Hourly fleet event files (NDJSON): vehicle and operating-period records told apart by `on`.',
      format: 'ndjson',
      columns: [
        { name: 'on', type: 'VARCHAR' },
        { name: 'event', type: 'VARCHAR' },
        { name: 'event_at', type: 'TIMESTAMP_TZ', path: 'at' },
        { name: 'organization_id', type: 'VARCHAR' },
      ],
      split: { field: 'on', into: { vehicle: 'vehicle_events', operating_period: 'operating_periods' } },
    },
    {
      name: 'vehicle_events',
      description: 'Vehicle register / update / deregister events (from fleet_events).',
      format: 'ndjson',
      columns: [
        { name: 'vehicle_id', type: 'VARCHAR', path: 'data.id' },
        { name: 'event', type: 'VARCHAR' },
        { name: 'event_at', type: 'TIMESTAMP_TZ', path: 'at' },
        { name: 'organization_id', type: 'VARCHAR' },
        { name: 'lat', type: 'FLOAT', path: 'data.location.lat' },
        { name: 'lng', type: 'FLOAT', path: 'data.location.lng' },
        { name: 'located_at', type: 'TIMESTAMP_TZ', path: 'data.location.at' },
      ],
      primaryKey: ['vehicle_id', 'event_at', 'event'],
    },
    {
      name: 'operating_periods',
      description: 'Operating periods of an organization (from fleet_events); the latest event wins.',
      format: 'ndjson',
      columns: [
        { name: 'period_id', type: 'VARCHAR', path: 'data.id' },
        { name: 'event', type: 'VARCHAR' },
        { name: 'event_at', type: 'TIMESTAMP_TZ', path: 'at' },
        { name: 'organization_id', type: 'VARCHAR' },
        { name: 'period_start', type: 'TIMESTAMP_TZ', path: 'data.start' },
        { name: 'period_finish', type: 'TIMESTAMP_TZ', path: 'data.finish' },
      ],
      primaryKey: ['period_id'],
      orderBy: 'event_at',
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
  // Insurance (scenario 004): data vault 2.0 → warehouse (generated dims/facts) → mart (snowflake/mart/*.sql).
  vault: {
    hubs: [
      { name: 'customer', businessKey: [{ name: 'customer_id', type: 'VARCHAR' }] },
      { name: 'product', businessKey: [{ name: 'product_id', type: 'VARCHAR' }] },
      { name: 'transaction', businessKey: [{ name: 'transaction_id', type: 'VARCHAR' }] },
    ],
    // A basket may hold the same product twice: the line number (dependent child key) keeps both lines.
    links: [
      {
        name: 'purchase',
        hubs: ['transaction', 'customer', 'product'],
        childKey: [{ name: 'line_no', type: 'NUMBER(10,0)' }],
      },
    ],
    satellites: [
      {
        name: 'customer_details',
        parent: 'customer',
        attributes: [
          { name: 'first_name', type: 'VARCHAR' },
          { name: 'last_name', type: 'VARCHAR' },
          { name: 'email', type: 'VARCHAR' },
          { name: 'date_of_birth', type: 'DATE' },
          { name: 'region', type: 'VARCHAR' },
        ],
      },
      {
        name: 'product_details',
        parent: 'product',
        attributes: [
          { name: 'product_name', type: 'VARCHAR' },
          { name: 'category', type: 'VARCHAR' },
          { name: 'monthly_premium', type: 'NUMBER(10,2)' },
        ],
      },
      {
        name: 'transaction_details',
        parent: 'transaction',
        attributes: [
          { name: 'transaction_at', type: 'TIMESTAMP_NTZ' },
          { name: 'total', type: 'NUMBER(12,2)' },
          { name: 'payment_method', type: 'VARCHAR' },
        ],
      },
      {
        name: 'purchase_line',
        parent: 'purchase',
        attributes: [
          { name: 'quantity', type: 'NUMBER(10,0)' },
          { name: 'price', type: 'NUMBER(12,2)' },
        ],
      },
    ],
    loads: [
      { dataset: 'insurance_customers', hubs: ['customer'], satellites: ['customer_details'] },
      { dataset: 'insurance_products', hubs: ['product'], satellites: ['product_details'] },
      {
        dataset: 'insurance_transactions',
        unnest: 'basket',
        hubs: ['transaction', 'customer', 'product'],
        links: ['purchase'],
        satellites: ['transaction_details', 'purchase_line'],
        paths: { payment_method: 'payment.method' },
        elementIndex: 'line_no',
      },
    ],
  },
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
        // The health monitor and pipe refresher sign in as their own users, roles and key secrets, which
        // the deploy provisions (docs/snowflake.md, service identities); bump keyRotation to rotate their keys.
        serviceUsers: { keyRotation: 0 },
      },
      alarms: { emails: ['data-platform-oncall@example.com'] },
    },
  ],
};
