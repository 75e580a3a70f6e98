/**
 * Shared helpers for the CDK tests: an App with the feature flags of cdk.json (the CLI passes them to
 * bin/app.ts; a bare `new App()` would not), the example config, and template utilities.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { loadConfig, type PipelineConfig } from '../../contracts/config';
import exampleConfig from '../../config/pipeline';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** The context (feature flags) of cdk.json. */
export function cdkContext(): Record<string, unknown> {
  return (JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> }).context;
}

/**
 * An App like `cdk synth` builds: cdk.json's feature flags, a throw-away output directory. Lambda assets are
 * NOT bundled (`aws:cdk:bundling-stacks` = []: template tests assert nothing about bundles, and bundling
 * costs most of their time); pass `{ bundle: true }` to run esbuild like `cdk synth` does.
 */
export function testApp(options: { readonly bundle?: boolean } = {}): App {
  const context = { ...cdkContext(), ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) };
  return new App({ context, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')) });
}

/** A plain stack in a test App, pinned to an account and region. */
export function testStack(app: App = testApp(), id = 'Test'): Stack {
  return new Stack(app, id, { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** A deep copy of the example config (config/pipeline.ts), raw (not validated). */
export function rawExampleConfig(): Record<string, unknown> & typeof exampleConfig {
  return structuredClone(exampleConfig) as Record<string, unknown> & typeof exampleConfig;
}

/** The example config, validated. */
export function exampleConfigValidated(): PipelineConfig {
  return loadConfig(rawExampleConfig());
}

/** The CloudFormation logical id of a construct (its default child), read from the tree, never hard-coded. */
export function logicalId(construct: IConstruct): string {
  const child = construct.node.defaultChild ?? construct;
  return Stack.of(construct).resolve((child as unknown as { logicalId: string }).logicalId) as string;
}

/** `{ 'Fn::GetAtt': [<logical id>, 'Arn'] }` of a construct. */
export function arnOf(construct: IConstruct): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId(construct), 'Arn'] };
}

/** `arn/suffix` as CloudFormation renders `bucket.arnForObjects(suffix)`. */
export function objectArn(bucket: IConstruct, suffix: string): unknown {
  return { 'Fn::Join': ['', [arnOf(bucket), `/${suffix}`]] };
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, unknown>;
  readonly Principal?: unknown;
  readonly Sid?: string;
}

/** Every statement of the IAM policies attached to `roleLogicalId` in `template`. */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

export const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Template JSON with asset hashes (64 hex chars) replaced, so snapshots survive code changes. */
export function stripAssetHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}
