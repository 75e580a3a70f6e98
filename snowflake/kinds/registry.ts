/**
 * The kinds the provisioner knows, by their `kind` resource property. A new kind (stream, task,
 * view, role, grant) is one module implementing ObjectKind plus one line here.
 */
import type { AnyObjectKind } from '../engine/types';
import { databaseKind } from './database';
import { fileFormatKind } from './file-format';
import { pipeKind } from './pipe';
import { schemaKind } from './schema';
import { stageKind } from './stage';
import { storageIntegrationKind } from './storage-integration';
import { tableKind } from './table';

const KINDS: readonly AnyObjectKind[] = [
  databaseKind,
  schemaKind,
  storageIntegrationKind,
  fileFormatKind,
  stageKind,
  tableKind,
  pipeKind,
];

const registry = new Map<string, AnyObjectKind>(KINDS.map((k) => [k.kind, k]));

/** Registers an additional kind (e.g. from snowflake/model/). Throws on a duplicate key. */
export function registerKind(kind: AnyObjectKind): void {
  if (registry.has(kind.kind)) throw new Error(`Snowflake object kind "${kind.kind}" is already registered`);
  registry.set(kind.kind, kind);
}

/** The kind registered under `name`, or an error listing the known kinds. */
export function getKind(name: string): AnyObjectKind {
  const kind = registry.get(name);
  if (!kind) throw new Error(`unknown Snowflake object kind "${name}" (known: ${[...registry.keys()].join(', ')})`);
  return kind;
}

/** Names of every registered kind. */
export function kindNames(): string[] {
  return [...registry.keys()];
}
