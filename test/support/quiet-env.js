/**
 * Jest setup (every test file): keep the run's output to jest's own lines.
 * - snowflake-sdk logs each failed connection at ERROR; tests that fail connections on purpose would print
 *   them. A test that wants driver logs sets SNOWFLAKE_LOG_LEVEL itself (the operator's value wins here too).
 */
process.env.SNOWFLAKE_LOG_LEVEL ??= 'OFF';
// The AWS SDK's notice that it drops Node 20 in 2027 (README "Node.js versions" says so once); the SDK's own switch.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
