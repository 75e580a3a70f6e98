/**
 * Schema drift of nested column paths (issue 10, finding 6): a column read from `device.id` is NULL
 * in every row when the records spell it `device.ID`, so the drift must say so. The names inside the
 * objects along nested paths are collected by both JSON validators (bytes and text) and compared by
 * fileDrift.
 */
import { JsonParser, NdjsonParser } from '../../../lambda/parser/json-parsers';
import { canonicalJson } from '../../../lambda/parser/json-text';
import { fileDrift, NestedKeys, objectSteps } from '../../../lambda/parser/schema-drift';
import type { SeenObject } from '../../../lambda/parser/schema-drift';
import { CollectingSink } from './collecting-sink';

const columns = [
  { name: 'id', type: 'VARCHAR', path: 'device.id' },
  { name: 'temp', type: 'NUMBER(6,2)', path: 'reading.value' },
  { name: 'site', type: 'VARCHAR' },
];
const limits = { maxRecordBytes: 4096, maxDepth: 6 };

/** Runs NDJSON `lines` through the byte path (pushBytes) or the string path (push) and returns the drift. */
function driftOf(cols: typeof columns, lines: string[], via: 'bytes' | 'text') {
  const keys = new Set<string>();
  const nested = NestedKeys.forColumns(cols)!;
  const parser = new NdjsonParser({ ...limits, keys, nested }, new CollectingSink());
  const text = lines.join('\n') + '\n';
  if (via === 'bytes') parser.pushBytes(Buffer.from(text));
  else parser.push(text);
  parser.end();
  return { drift: fileDrift(cols, keys, nested), keys, seen: nested.seen };
}

/** The seen tree as plain data (sorted), to compare the two paths. */
function plain(o: SeenObject): unknown {
  return {
    keys: [...o.keys].sort(),
    children: Object.fromEntries([...o.children].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, c]) => [k, plain(c)])),
  };
}

describe('schema drift: nested column paths', () => {
  test.each([
    ['device.id', ['device', 'id']],
    ['a.b[0].c', ['a', 'b']],
    ['tags[0]', ['tags']],
    ['site', ['site']],
  ])('GIVEN the column path %j WHEN split into object steps THEN they are %j', (path, steps) => {
    expect(objectSteps(path)).toEqual(steps);
  });

  test('GIVEN columns without a nested path WHEN a collector is asked for THEN there is none (nothing to collect)', () => {
    expect(NestedKeys.forColumns([{ name: 'id' }, { name: 'first', path: 'tags[0]' }])).toBeUndefined();
  });

  test.each(['bytes', 'text'] as const)(
    'GIVEN records with device.ID instead of device.id WHEN parsed via %s THEN the drift names the nested case mismatch',
    (via) => {
      const { drift } = driftOf(
        columns,
        [
          '{"device":{"ID":"s1"},"reading":{"value":1},"site":"a"}',
          '{"device":{"ID":"s2"},"reading":{"value":2},"site":"b"}',
        ],
        via,
      );
      expect(drift).toEqual({
        missing_paths: [],
        unknown_keys: [],
        case_mismatches: [{ path: 'device.id', seen: 'device.ID' }],
      });
    },
  );

  test.each(['bytes', 'text'] as const)(
    'GIVEN a renamed nested field and a nested path never present WHEN parsed via %s THEN both are missing paths',
    (via) => {
      // reading.value renamed to reading.val; device is a string, never an object.
      const { drift } = driftOf(columns, ['{"device":"s1","reading":{"val":1},"site":"a"}'], via);
      expect(drift).toEqual({ missing_paths: ['device.id', 'reading.value'], unknown_keys: [], case_mismatches: [] });
    },
  );

  test.each(['bytes', 'text'] as const)(
    'GIVEN one record with the exact path among records spelled otherwise WHEN parsed via %s THEN there is no drift',
    (via) => {
      const { drift } = driftOf(
        columns,
        [
          '{"Device":{"id":"s1"},"reading":{"value":1},"site":"a"}',
          '{"device":{"id":"s2"},"reading":{"value":2},"site":"b"}',
        ],
        via,
      );
      expect(drift).toEqual({ missing_paths: [], unknown_keys: ['Device'], case_mismatches: [] });
    },
  );

  test.each(['bytes', 'text'] as const)(
    'GIVEN the top-level key in another case and the nested key too WHEN parsed via %s THEN seen is the path as spelled',
    (via) => {
      const cols = [{ name: 'c', type: 'VARCHAR', path: 'a.b.c' }];
      const { drift } = driftOf(cols, ['{"A":{"x":1,"B":{"C":1}}}'], via);
      expect(drift).toEqual({
        missing_paths: [],
        unknown_keys: [],
        case_mismatches: [{ path: 'a.b.c', seen: 'A.B.C' }],
      });
    },
  );

  test('GIVEN a JSON array file with device.ID WHEN parsed THEN the drift names the nested case mismatch', () => {
    const keys = new Set<string>();
    const nested = NestedKeys.forColumns(columns)!;
    const parser = new JsonParser({ ...limits, keys, nested }, new CollectingSink());
    parser.push('[{"device":{"ID":"s1"},"reading":{"value":1},"site":"a"},\n {"device":{"ID":"s2"},"site":"b"}]');
    parser.end();
    expect(fileDrift(columns, keys, nested)).toEqual({
      missing_paths: [],
      unknown_keys: [],
      case_mismatches: [{ path: 'device.id', seen: 'device.ID' }],
    });
  });

  test('GIVEN a dataset that reads paths ignoring case (pathMatch case-insensitive) WHEN device.ID and ID arrive THEN no case mismatch is drift, a missing path still is', () => {
    const keys = new Set<string>();
    const nested = NestedKeys.forColumns(columns)!;
    const parser = new JsonParser({ ...limits, keys, nested }, new CollectingSink());
    parser.push('[{"device":{"ID":"s1"},"SITE":"a"},\n {"device":{"Id":"s2"},"SITE":"b"}]');
    parser.end();
    // reading.value: no record has `reading` in any case, so it is missing whatever the matching.
    expect(fileDrift(columns, keys, nested, { ignoreCase: true })).toEqual({
      missing_paths: columns
        .filter((c) => (c.path ?? c.name).toLowerCase().startsWith('reading'))
        .map((c) => c.path ?? c.name),
      unknown_keys: [],
      case_mismatches: [],
    });
    expect(fileDrift(columns, keys, nested).case_mismatches.length).toBeGreaterThan(0);
  });

  test('GIVEN a record rejected after a nested object WHEN parsed THEN its nested names are not collected', () => {
    const { drift } = driftOf(
      columns,
      ['{"device":{"id":"s1"},"device":1}', '{"site":"a","device":{"ID":"s2"}}'],
      'text',
    );
    // The first record has a duplicate key (rejected): only the second record counts.
    expect(drift.case_mismatches).toEqual([{ path: 'device.id', seen: 'device.ID' }]);
  });

  test('GIVEN a CSV file (no nested collector) WHEN compared THEN a nested path counts by its top-level key, as before', () => {
    expect(fileDrift(columns, new Set(['device', 'reading', 'site']))).toEqual({
      missing_paths: [],
      unknown_keys: [],
      case_mismatches: [],
    });
  });

  test('GIVEN random records WHEN parsed via bytes and via text THEN the collected nested names are the same', () => {
    const cols = [
      { name: 'x', type: 'VARCHAR', path: 'a.b.c' },
      { name: 'y', type: 'VARCHAR', path: 'a.d' },
      { name: 'z', type: 'VARCHAR', path: 'e.f' },
    ];
    const names = ['a', 'A', 'b', 'B', 'c', 'd', 'e', 'E', 'f', 'g'];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const value = (depth: number): unknown => {
      if (depth >= 4 || rnd() < 0.3) return rnd() < 0.5 ? 1 : [1, { a: 1 }];
      const o: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) o[names[Math.floor(rnd() * names.length)]] = value(depth + 1);
      return o;
    };
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) lines.push(JSON.stringify(value(0)).replace(/^[^{].*$/, '{"q":1}'));
    const bytes = driftOf(cols, lines, 'bytes');
    const text = driftOf(cols, lines, 'text');
    expect(plain(bytes.seen)).toEqual(plain(text.seen));
    expect(bytes.drift).toEqual(text.drift);
    // And canonicalJson alone (the JSON-array path) agrees for a single record.
    const one = NestedKeys.forColumns(cols)!;
    expect(canonicalJson('{"A":{"B":{"c":1},"d":2}}', 6, new Set(), one).ok).toBe(true);
    expect(plain(one.seen)).toEqual({
      keys: [],
      children: { A: { keys: ['B', 'd'], children: { B: { keys: ['c'], children: {} } } } },
    });
  });
});
