import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';

/** Standard AWS SDK variables that point a client at a custom endpoint (local servers, VPC endpoints). */
const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const;

/**
 * The S3 client every function uses. Endpoints come only from the SDK's own standard variables
 * (`AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`), which the SDK reads itself; nothing is hard-coded.
 *
 * - `requestChecksumCalculation: 'WHEN_REQUIRED'`: streamed bodies are sent as plain bytes (AWS
 *   accepts both; local servers store aws-chunked framing otherwise).
 * - Path-style addressing is used exactly when a custom endpoint is configured (local servers have
 *   no per-bucket DNS); on AWS, with no endpoint variable, virtual-hosted style stays the default.
 */
export function createS3Client(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<S3ClientConfig> = {},
): S3Client {
  const customEndpoint = ENDPOINT_VARIABLES.some((name) => (env[name] ?? '') !== '');
  return new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    forcePathStyle: customEndpoint,
    ...overrides,
  });
}
