/** Parses a CloudFormation event's properties into an engine request, naming every property at fault. */
import { getKind } from '../../snowflake/kinds/registry';
import type { ObjectRequest } from '../../snowflake/engine/lifecycle';
import { PropertyError, issuesOf, resourceProperties } from '../../snowflake/engine/resource';
import type { ConnectionProperties } from '../../snowflake/engine/resource';

export interface ParsedRequest extends ObjectRequest {
  readonly connection: ConnectionProperties;
}

export function parseRequest(properties: unknown, logicalId: string, what = 'ResourceProperties'): ParsedRequest {
  const envelope = resourceProperties.safeParse(properties);
  if (!envelope.success) throw new PropertyError(issuesOf(envelope.error, what), logicalId);
  const p = envelope.data;
  let kind;
  try {
    kind = getKind(p.kind);
  } catch (error) {
    throw new PropertyError([`${what}.kind: ${(error as Error).message}`], logicalId, { cause: error });
  }
  const definition = kind.schema.safeParse(p.definition);
  if (!definition.success) throw new PropertyError(issuesOf(definition.error, `${what}.definition`), logicalId);
  return {
    kind,
    definition: definition.data,
    adopt: p.adopt ?? false,
    removalPolicy: p.removalPolicy ?? 'retain',
    connection: p.connection,
  };
}
