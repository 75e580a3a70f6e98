/**
 * The kinds the provisioner knows, by their `kind` resource property. A new kind (stream, task,
 * view, role, grant) is one module implementing ObjectKind plus one line here.
 */
import type { AnyObjectKind } from '../engine/types';
import { databaseKind } from './database';
import { fileFormatKind } from './file-format';
import { notificationIntegrationKind } from './notification-integration';
import { pipeKind } from './pipe';
import { readerRoleKind } from './reader-role';
import { rejectsTableKind } from './rejects-table';
import { schemaKind } from './schema';
import { serviceRoleKind } from './service-role';
import { serviceUserKind } from './service-user';
import { silverTableKind } from './silver-table';
import { stageKind } from './stage';
import { storageIntegrationKind } from './storage-integration';
import { streamKind } from './stream';
import { tableKind } from './table';
import { taskKind } from './task';
import { viewKind } from './view';

const KINDS: readonly AnyObjectKind[] = [
  databaseKind,
  schemaKind,
  storageIntegrationKind,
  notificationIntegrationKind,
  fileFormatKind,
  stageKind,
  tableKind,
  pipeKind,
  streamKind,
  silverTableKind,
  rejectsTableKind,
  taskKind,
  viewKind,
  readerRoleKind,
  serviceRoleKind,
  serviceUserKind,
];

const registry: ReadonlyMap<string, AnyObjectKind> = new Map(KINDS.map((k) => [k.kind, k]));

/** The kind registered under `name`, or an error listing the known kinds. */
export function getKind(name: string): AnyObjectKind {
  const kind = registry.get(name);
  if (!kind) throw new Error(`unknown Snowflake object kind "${name}" (known: ${[...registry.keys()].join(', ')})`);
  return kind;
}
