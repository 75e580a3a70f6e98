/**
 * Driver environment, set before snowflake-sdk loads (import this module first):
 * - platform detection off (it probes cloud metadata endpoints on load, slow and pointless here);
 * - OCSP response cache in /tmp (the only writable path on Lambda).
 * Values already set by the operator win.
 */
import * as os from 'os';

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
process.env.SF_OCSP_RESPONSE_CACHE_DIR ??= os.tmpdir();

export {};
