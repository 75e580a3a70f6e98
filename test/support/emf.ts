/**
 * Powertools writes its EMF metric lines to stdout (single metrics ignore a custom logger): run a
 * function with stdout captured, and keep those lines.
 */

/** Runs `run` with stdout silenced; returns its result and the EMF lines (`{"_aws"…}`) it wrote, trimmed. */
export async function captureEmfLines<T>(run: () => T | Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = String(chunk);
    if (text.startsWith('{"_aws"')) lines.push(text.trim());
    return true;
  });
  try {
    return { result: await run(), lines };
  } finally {
    write.mockRestore();
  }
}
