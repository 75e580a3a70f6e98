/**
 * Parser Lambda entry point: SQS messages of S3 ObjectCreated notifications → stage NDJSON,
 * archive, quarantine. The environment is read and validated here, at init (fail fast).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadParserConfig } from './config';
import { createHandler } from './handler';

const parse = createHandler(loadParserConfig());

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => parse(event, context);
