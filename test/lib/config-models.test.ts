/** The `split`, `entities` and `vault` blocks of the config: each mistake named by path and value. */
import { ConfigError, loadConfig } from '../../contracts/config';
import { rawExampleConfig } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests edit the raw config freely
type Raw = any;

function problemsOf(edit: (raw: Raw) => void): string[] {
  const raw = rawExampleConfig() as Raw;
  edit(raw);
  try {
    loadConfig(raw);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}
const dataset = (raw: Raw, name: string): Raw => raw.datasets.find((d: { name: string }) => d.name === name);

test('GIVEN the example config THEN split, entities and vault are accepted', () => {
  expect(problemsOf(() => undefined)).toEqual([]);
});

test('GIVEN a split to an unknown dataset or on a missing field WHEN loaded THEN both are named', () => {
  const problems = problemsOf((raw) => {
    dataset(raw, 'fleet_events').split = { field: 'kind', into: { vehicle: 'vehicle_events', bus: 'buses' } };
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      'datasets[3](fleet_events).split.field: "kind" is not one of the columns',
      'datasets[3](fleet_events).split.into.bus: unknown dataset "buses"',
    ]),
  );
});

test('GIVEN a split dataset with a key, or a source uploading to a split target WHEN loaded THEN refused (rows would be lost)', () => {
  const problems = problemsOf((raw) => {
    dataset(raw, 'fleet_events').primaryKey = ['on'];
    raw.sources.find((s: { name: string }) => s.name === 'fleet').datasets = ['fleet_events', 'vehicle_events'];
    delete raw.sources.find((s: { name: string }) => s.name === 'airbnb').datasets;
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      'datasets[3](fleet_events).primaryKey: a split dataset has no silver table of its own: set it on the target datasets',
      'sources[3](fleet).datasets[1]: "vehicle_events" is a split target of "fleet_events": upload to that',
      'sources[0](airbnb).datasets: must list its datasets when split targets exist (they have no pipe) (missing)',
    ]),
  );
});

test('GIVEN an entity on an unknown column or colliding with a core table WHEN loaded THEN named', () => {
  const problems = problemsOf((raw) => {
    dataset(raw, 'weather').entities = [
      { name: 'listings', key: ['customer_id'] },
      { name: 'sites', key: ['site'], columns: ['customer_id'], seenBy: 'when' },
    ];
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      'datasets[1](weather).entities[1](sites).key[0]: "site" is not one of the columns',
      'datasets[1](weather).entities[1](sites).seenBy: "when" is not one of the columns',
      'datasets[1](weather).entities[0](listings).name: "listings" collides with a core table',
    ]),
  );
});

test('GIVEN vault references to unknown hubs, satellites and datasets WHEN loaded THEN each is named', () => {
  const problems = problemsOf((raw) => {
    raw.vault.links = [{ name: 'purchase', hubs: ['transaction', 'policy'] }];
    raw.vault.satellites[0].parent = 'nobody';
    raw.vault.loads[0].dataset = 'fleet_events';
    raw.vault.loads[1].satellites = ['customer_details'];
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      'vault.links[0](purchase).hubs[1]: unknown hub "policy"',
      'vault.satellites[0](customer_details).parent: "nobody" is neither a hub nor a link',
      'vault.loads[0].dataset: "fleet_events" is split: load from its targets',
      'vault.loads[1].satellites[0]: satellite "customer_details" needs its parent "nobody" in this load',
    ]),
  );
});

test('GIVEN an elementIndex without unnest or an empty child key WHEN loaded THEN each is named', () => {
  const problems = problemsOf((raw) => {
    raw.vault.loads[0].elementIndex = 'line_no';
    raw.vault.links[0].childKey = [];
  });
  expect(problems).toEqual(
    expect.arrayContaining([
      'vault.loads[0].elementIndex: needs unnest (the position of an element) (got "line_no")',
      'vault.links[0](purchase).childKey: must list at least one column',
    ]),
  );
});
