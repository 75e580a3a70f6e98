/**
 * The Snowflake SQL (source of truth) as text: statement by statement, for every reference dataset.
 */
import {
  DataModelError,
  bronzeTable,
  buildDatasetModel,
  createTableStatement,
  datasetSql,
  duckdbDialect,
  mergeTaskBody,
  parseColumnType,
  rejectsInsertStatement,
  silverTable,
  silverWriteStatement,
  snowflakeDialect,
} from '../../../snowflake/model';
import type { DatasetSpec } from '../../../contracts/config';
import { NESTED_WEATHER, REFERENCE_DATASETS, SCHEMAS, referenceModel } from './duckdb-model';

describe.each(REFERENCE_DATASETS.map((d) => [d.name, d] as const))('reference dataset %s', (name, spec) => {
  const sql = datasetSql(spec, SCHEMAS, snowflakeDialect);
  const model = buildDatasetModel(spec, SCHEMAS);
  const upper = name.toUpperCase();

  test('GIVEN the spec WHEN rendered THEN bronze, stream, silver and rejects are created in RAW/CORE, never replaced', () => {
    expect(sql.bronze).toMatch(
      new RegExp(`^CREATE TABLE IF NOT EXISTS "INGEST"\\."RAW"\\."${upper}" \\(\\n  "RECORD" VARIANT`),
    );
    expect(sql.stream).toBe(
      `CREATE STREAM IF NOT EXISTS "INGEST"."RAW"."${upper}_STREAM" ON TABLE "INGEST"."RAW"."${upper}" APPEND_ONLY = TRUE ` +
        `COMMENT = 'New bronze rows of ${name}, consumed by its MERGE task.'`,
    );
    expect(sql.silver).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS "INGEST"\\."CORE"\\."${upper}" \\(`));
    expect(sql.rejects).toMatch(new RegExp(`^CREATE TABLE IF NOT EXISTS "INGEST"\\."CORE"\\."${upper}_REJECTS" \\(`));
    for (const s of [sql.bronze, sql.silver, sql.rejects]) expect(s).not.toMatch(/OR REPLACE|DROP/);
  });

  test('GIVEN the spec WHEN rendered THEN every spec column is typed in silver and the key is the primary key', () => {
    for (const c of spec.columns) {
      expect(sql.silver).toContain(`"${c.name.toUpperCase()}" ${parseColumnType(c.type, c.name).snowflake}`);
    }
    expect(sql.silver).toContain(`PRIMARY KEY (${spec.primaryKey!.map((k) => `"${k.toUpperCase()}"`).join(', ')})`);
    expect(sql.silver).toContain('"_MERGED_AT" TIMESTAMP_TZ');
  });

  test('GIVEN the spec WHEN the MERGE is rendered THEN paths are quoted, casts are TRY_ casts, QUALIFY keeps the latest and MATCHED is guarded', () => {
    const merge = silverWriteStatement(model, snowflakeDialect);
    expect(merge).toMatch(new RegExp(`^MERGE INTO "INGEST"\\."CORE"\\."${upper}" AS t\\n`));
    expect(merge).toContain(`FROM "INGEST"."RAW"."${upper}_STREAM" WHERE METADATA$ACTION = 'INSERT'`);
    for (const c of model.columns) {
      const path = c.path
        .split('.')
        .map((seg) => seg.replace(/^([^[]+)/, '"$1"'))
        .join('.');
      expect(merge).toContain(`"RECORD":${path}`);
    }
    const order = [
      ...(spec.orderBy ? [`b."${spec.orderBy.toUpperCase()}" DESC NULLS LAST`] : []),
      'b."_RECEIVED_AT" DESC NULLS LAST',
    ];
    expect(merge).toContain(
      `ORDER BY ${order.join(', ')}, b."_SOURCE_KEY" DESC NULLS LAST, b."_SOURCE_ROW" DESC NULLS LAST`,
    );
    expect(merge).toMatch(/WHEN MATCHED AND \(.*s\."_RECEIVED_AT" > t\."_RECEIVED_AT".*\) THEN UPDATE SET/);
    expect(merge).toContain('WHEN NOT MATCHED THEN INSERT (');
  });

  test('GIVEN the spec WHEN the task body is rendered THEN rejects and MERGE run in one transaction that rolls back on error', () => {
    const body = mergeTaskBody(model);
    expect(body.startsWith('EXECUTE IMMEDIATE $$\nBEGIN\n  BEGIN TRANSACTION;\n    INSERT INTO ')).toBe(true);
    expect(body.indexOf(`"INGEST"."CORE"."${upper}_REJECTS"`)).toBeLessThan(body.indexOf('MERGE INTO'));
    expect(body).toMatch(/;\n {2}COMMIT;\nEXCEPTION\n {2}WHEN OTHER THEN\n {4}ROLLBACK;\n {4}RAISE;\nEND;\n\$\$$/);
  });
});

describe('casts per type', () => {
  test('GIVEN listings WHEN rendered THEN NUMBER/DATE use TRY_CAST of the text, VARCHAR uses ::VARCHAR, key strings treat empty as missing', () => {
    const merge = silverWriteStatement(referenceModel('listings'), snowflakeDialect);
    expect(merge).toContain(
      `CASE WHEN REGEXP_LIKE("RECORD":"id"::VARCHAR, ' *[+-]?([0-9]+(\\\\.0*)?) *') ` +
        `THEN TRY_CAST(NULLIF("RECORD":"id"::VARCHAR, '') AS NUMBER(38,0)) END AS "ID"`,
    );
    expect(merge).toContain(`TRY_CAST(NULLIF("RECORD":"price"::VARCHAR, '') AS NUMBER(12,2)) AS "PRICE"`);
    expect(merge).toContain(`TRY_CAST(NULLIF("RECORD":"last_review"::VARCHAR, '') AS DATE) AS "LAST_REVIEW"`);
    expect(merge).toContain(`"RECORD":"name"::VARCHAR AS "NAME"`);
    expect(silverWriteStatement(referenceModel('events'), snowflakeDialect)).toContain(
      `NULLIF("RECORD":"event_id"::VARCHAR, '') AS "EVENT_ID"`,
    );
  });

  test('GIVEN VARIANT, ARRAY, VARCHAR(n) and TIMESTAMP_TZ columns WHEN rendered THEN values are kept, parsed or length-checked', () => {
    expect(silverWriteStatement(referenceModel('events'), snowflakeDialect)).toContain(
      `"RECORD":"properties" AS "PROPERTIES"`,
    );
    expect(silverWriteStatement(referenceModel('events'), snowflakeDialect)).toContain(
      `CAST(CASE WHEN REGEXP_LIKE(NULLIF("RECORD":"timestamp"::VARCHAR, ''), '.*[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]*)?)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)') ` +
        `THEN TRY_TO_TIMESTAMP_TZ(NULLIF("RECORD":"timestamp"::VARCHAR, '')) ` +
        `ELSE TRY_TO_TIMESTAMP_TZ(TO_CHAR(TRY_CAST(NULLIF("RECORD":"timestamp"::VARCHAR, '') AS TIMESTAMP_NTZ(9)), 'YYYY-MM-DD"T"HH24:MI:SS.FF9') || '+00:00', 'YYYY-MM-DD"T"HH24:MI:SS.FF9TZH:TZM') END AS TIMESTAMP_TZ) AS "OCCURRED_AT"`,
    );
    expect(silverWriteStatement(referenceModel('insurance_transactions'), snowflakeDialect)).toContain(
      `COALESCE(AS_ARRAY("RECORD":"basket"), AS_ARRAY(TRY_PARSE_JSON(AS_VARCHAR("RECORD":"basket")))) AS "BASKET"`,
    );
    expect(silverWriteStatement(referenceModel('retail_users'), snowflakeDialect)).toContain(
      `CASE WHEN LENGTH("RECORD":"country"::VARCHAR) <= 2 THEN "RECORD":"country"::VARCHAR END AS "COUNTRY"`,
    );
  });

  test('GIVEN nested paths WHEN rendered for both dialects THEN Snowflake uses :"a"."b"[0] and DuckDB a JSON pointer', () => {
    const weather = buildDatasetModel(NESTED_WEATHER, SCHEMAS);
    expect(silverWriteStatement(weather, snowflakeDialect)).toContain(
      `"RECORD":"weather"[0]."description"::VARCHAR AS "CONDITIONS"`,
    );
    expect(silverWriteStatement(weather, duckdbDialect)).toContain(
      `json_extract_string("RECORD", '/weather/0/description') AS "CONDITIONS"`,
    );
    expect(createTableStatement(silverTable(weather), duckdbDialect)).toContain('"LATITUDE" DECIMAL(10,6)');
    expect(createTableStatement(bronzeTable(weather), duckdbDialect)).toContain('"RECEIVED_AT" TIMESTAMPTZ');
  });
});

describe('rejects statement', () => {
  test('GIVEN a keyed dataset WHEN rendered THEN missing/invalid keys are selected with stable reason codes and re-deliveries skipped', () => {
    const s = rejectsInsertStatement(referenceModel('listings'), snowflakeDialect)!;
    expect(s).toContain(`WHEN (b."_RAW_KEY_0" IS NULL OR b."_RAW_KEY_0" = '') THEN 'PRIMARY_KEY_MISSING'`);
    expect(s).toContain(`WHEN b."_KEY_0" IS NULL THEN 'PRIMARY_KEY_INVALID'`);
    expect(s).toContain('WHERE CASE x.n WHEN 0 THEN b."_KEY_0" IS NULL WHEN 1 THEN b."_CAST_FAILED_0"');
    expect(s).toContain(
      'WHERE NOT EXISTS (SELECT 1 FROM "INGEST"."CORE"."LISTINGS_REJECTS" AS t WHERE t."SOURCE_KEY" = r."SOURCE_KEY" AND t."RECEIVED_AT" = r."RECEIVED_AT" AND t."SOURCE_ROW" = r."SOURCE_ROW" ' +
        `AND t."REASON" = r."REASON" AND (r."REASON" <> 'CAST_FAILED' OR t."COLUMN_NAME" = r."COLUMN_NAME"))`,
    );
  });

  test('GIVEN a column that can fail its cast WHEN rendered THEN a present value (not absent, not JSON null, not "") whose cast is NULL is a CAST_FAILED reject with column and raw value', () => {
    const s = rejectsInsertStatement(referenceModel('listings'), snowflakeDialect)!;
    expect(s).toContain(
      `(NULLIF("RECORD":"price"::VARCHAR, '') IS NOT NULL AND TRY_CAST(NULLIF("RECORD":"price"::VARCHAR, '') AS NUMBER(12,2)) IS NULL) AS "_CAST_FAILED_3", "RECORD":"price"::VARCHAR AS "_RAW_3"`,
    );
    expect(s).toContain(
      `WHEN 4 THEN 'column price (path price): value ' || LEFT(b."_RAW_3", 100) || ' is not a valid NUMBER(12,2)' || ` +
        `CASE WHEN b."_KEY_0" IS NULL THEN '; row not merged' ELSE '; NULL in silver' END`,
    );
    expect(s).toContain(`WHEN 4 THEN 'price'`);
    // VARCHAR without a length takes any value: never checked.
    expect(s).not.toContain(`'host_name'`);
    expect(s).toContain('COALESCE(b."_KEY_0" IS NULL, FALSE) AS "ROW_REJECTED"');
  });
});

describe('insert-only', () => {
  const spec: DatasetSpec = { name: 'clicks', format: 'ndjson', columns: [{ name: 'page', type: 'VARCHAR' }] };

  test('GIVEN no primary key and no column that can fail a cast WHEN rendered THEN the task body is one INSERT … SELECT skipping known lineage; the rejects table still exists', () => {
    const model = buildDatasetModel(spec, SCHEMAS);
    const body = mergeTaskBody(model);
    expect(body).toMatch(/^INSERT INTO "INGEST"\."CORE"\."CLICKS" \(/);
    expect(body).not.toMatch(/MERGE INTO|EXECUTE IMMEDIATE|BEGIN TRANSACTION/);
    expect(body).toContain(
      'WHERE NOT EXISTS (SELECT 1 FROM "INGEST"."CORE"."CLICKS" AS t WHERE t."_SOURCE_KEY" = b."_SOURCE_KEY" AND t."_RECEIVED_AT" = b."_RECEIVED_AT" AND t."_SOURCE_ROW" = b."_SOURCE_ROW")',
    );
    expect(datasetSql(spec, SCHEMAS, snowflakeDialect).rejects).toMatch(
      /^CREATE TABLE IF NOT EXISTS "INGEST"\."CORE"\."CLICKS_REJECTS" \(/,
    );
    expect(rejectsInsertStatement(model, snowflakeDialect)).toBeUndefined();
  });
});

describe('insert-only with a column that can fail its cast', () => {
  test('GIVEN no primary key and a NUMBER column WHEN the task body is rendered THEN the CAST_FAILED insert and the silver insert share one transaction', () => {
    const model = buildDatasetModel(
      {
        name: 'clicks',
        format: 'ndjson',
        columns: [
          { name: 'page', type: 'VARCHAR' },
          { name: 'ms', type: 'NUMBER(10,0)' },
        ],
      },
      SCHEMAS,
    );
    const body = mergeTaskBody(model);
    expect(
      body.startsWith(
        'EXECUTE IMMEDIATE $$\nBEGIN\n  BEGIN TRANSACTION;\n    INSERT INTO "INGEST"."CORE"."CLICKS_REJECTS"',
      ),
    ).toBe(true);
    expect(body.indexOf('INSERT INTO "INGEST"."CORE"."CLICKS" (')).toBeGreaterThan(body.indexOf('CLICKS_REJECTS'));
    expect(body).toMatch(/COMMIT;\nEXCEPTION\n {2}WHEN OTHER THEN\n {4}ROLLBACK;\n {4}RAISE;/);
    expect(rejectsInsertStatement(model, snowflakeDialect)).toContain(`CROSS JOIN (VALUES (0)) AS x(n)`);
  });
});

describe('injection and bad specs', () => {
  const odd = (path: string): DatasetSpec => ({
    name: 'odd',
    format: 'json',
    columns: [{ name: 'v', type: 'VARCHAR', path }],
    primaryKey: ['v'],
  });

  test('GIVEN path keys with quotes and backslashes (bypassing config validation) WHEN rendered THEN they are escaped string literals', () => {
    const model = buildDatasetModel(odd(`a"b.c'd\\e[1]`), SCHEMAS);
    const sf = silverWriteStatement(model, snowflakeDialect);
    expect(sf).toContain(`"RECORD"['a"b']['c\\'d\\\\e'][1]::VARCHAR`);
    const duck = silverWriteStatement(model, duckdbDialect);
    expect(duck).toContain(`json_extract_string("RECORD", '/a"b/c''d\\e/1')`);
  });

  test('GIVEN a key with a single quote only WHEN rendered for Snowflake THEN it stays in a quoted path element', () => {
    expect(silverWriteStatement(buildDatasetModel(odd(`it's`), SCHEMAS), snowflakeDialect)).toContain(
      `"RECORD":"it's"::VARCHAR`,
    );
  });

  test('GIVEN a path with "$$" WHEN modelled THEN it is rejected (it would end the task block)', () => {
    expect(() => buildDatasetModel(odd('a$$b'), SCHEMAS)).toThrow(
      new DataModelError('odd.v: invalid path "a$$b": must not contain "$$"'),
    );
  });

  test('GIVEN an unsupported type, a bad path segment or a VARIANT key WHEN modelled THEN the error names the dataset and column', () => {
    expect(() => buildDatasetModel({ ...odd('v'), columns: [{ name: 'v', type: 'NUMBER(39,0)' }] }, SCHEMAS)).toThrow(
      'odd.v: invalid type "NUMBER(39,0)": precision must be 1-38',
    );
    expect(() =>
      buildDatasetModel({ ...odd('v'), columns: [{ name: 'v', type: 'VARCHAR; DROP TABLE x' }] }, SCHEMAS),
    ).toThrow('odd.v: unsupported column type');
    expect(() => buildDatasetModel(odd('a..b'), SCHEMAS)).toThrow(
      'odd.v: invalid path "a..b": segment "" must be a key',
    );
    expect(() => buildDatasetModel({ ...odd('v'), columns: [{ name: 'v', type: 'VARIANT' }] }, SCHEMAS)).toThrow(
      'odd.primaryKey: "v" has type VARIANT, which cannot be a key',
    );
    expect(() =>
      buildDatasetModel(
        { ...odd('v'), columns: [...odd('v').columns, { name: 'w', type: 'OBJECT' }], orderBy: 'w' },
        SCHEMAS,
      ),
    ).toThrow('odd.orderBy: "w" has type OBJECT, which has no order');
  });

  test('GIVEN a description with quotes WHEN rendered THEN the comment literal is escaped', () => {
    const spec: DatasetSpec = { ...odd('v'), description: `it's "fine"\\` };
    expect(createTableStatement(bronzeTable(buildDatasetModel(spec, SCHEMAS)), snowflakeDialect)).toContain(
      `COMMENT = 'Bronze landing table of dataset odd: it\\'s "fine"\\\\'`,
    );
  });
});

describe('mixed-case column names', () => {
  test('GIVEN a column named OrderID WHEN the MERGE is rendered THEN the record field is read as given and the column is upper-cased', () => {
    const spec: DatasetSpec = {
      name: 'orders',
      format: 'csv',
      columns: [
        { name: 'OrderID', type: 'NUMBER(38,0)' },
        { name: 'Total', type: 'NUMBER(12,2)' },
      ],
      primaryKey: ['OrderID'],
    };
    const merge = silverWriteStatement(buildDatasetModel(spec, SCHEMAS), snowflakeDialect);
    expect(merge).toContain('"RECORD":"OrderID"::VARCHAR');
    expect(merge).toContain('AS "ORDERID"');
    expect(merge).toContain('ON t."ORDERID" = s."ORDERID"');
    expect(merge).not.toContain('"RECORD":"ORDERID"');
  });
});
