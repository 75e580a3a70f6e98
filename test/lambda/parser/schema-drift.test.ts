import { fileDrift, hasDrift, MAX_DRIFT_KEYS, topLevelKey } from '../../../lambda/parser/schema-drift';

const columns = [
  { name: 'id', type: 'NUMBER(38,0)' },
  { name: 'price', type: 'NUMBER(12,2)' },
  { name: 'city', type: 'VARCHAR', path: 'location.name' },
  { name: 'lat', type: 'NUMBER(10,6)', path: 'location.lat' },
  { name: 'first_tag', type: 'VARCHAR', path: 'tags[0]' },
];

describe('schema drift', () => {
  test.each([
    ['id', 'id'],
    ['location.name', 'location'],
    ['tags[0]', 'tags'],
    ['a[1][2].b', 'a'],
  ])('GIVEN the column path %j WHEN its top-level key is taken THEN it is %j', (path, key) => {
    expect(topLevelKey(path)).toBe(key);
  });

  test('GIVEN records with exactly the spec keys WHEN compared THEN no drift', () => {
    const drift = fileDrift(columns, new Set(['id', 'price', 'location', 'tags']));
    expect(drift).toEqual({ missing_paths: [], unknown_keys: [], case_mismatches: [] });
    expect(hasDrift(drift)).toBe(false);
  });

  test('GIVEN a key only in another case, an extra key and a path never present WHEN compared THEN each lands in its own list once', () => {
    const drift = fileDrift(columns, new Set(['ID', 'price', 'tags', 'colour']));
    expect(drift).toEqual({
      missing_paths: ['location.name', 'location.lat'],
      unknown_keys: ['colour'],
      case_mismatches: [{ path: 'id', seen: 'ID' }],
    });
    expect(hasDrift(drift)).toBe(true);
  });

  test('GIVEN more unknown keys than the cap WHEN compared THEN the first MAX_DRIFT_KEYS in sorted order are listed', () => {
    const seen = new Set(['id', 'price', 'location', 'tags']);
    for (let i = 0; i < MAX_DRIFT_KEYS + 50; i++) seen.add(`extra_${String(i).padStart(3, '0')}`);
    const drift = fileDrift(columns, seen);
    expect(drift.unknown_keys).toHaveLength(MAX_DRIFT_KEYS);
    expect(drift.unknown_keys[0]).toBe('extra_000');
    expect(drift.unknown_keys[MAX_DRIFT_KEYS - 1]).toBe(`extra_${String(MAX_DRIFT_KEYS - 1).padStart(3, '0')}`);
  });
});
