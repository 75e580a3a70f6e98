import { retryLoop } from '../../../lambda/shared/retry';

class Transient extends Error {}

/** A function failing with the given errors in turn, then answering `ok`. */
function failing(errors: Error[]) {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(attempt);
    const error = errors.shift();
    if (error) throw error;
    return 'ok';
  };
  return { fn, calls };
}

describe('retryLoop', () => {
  const options = (attempts: number, waits: number[]) => ({
    attempts,
    isTransient: (e: unknown) => e instanceof Transient,
    delayMs: (attempt: number) => attempt * 100,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  });

  test('GIVEN two transient failures and 3 attempts WHEN run THEN the third attempt answers, after waits of delayMs(1), delayMs(2)', async () => {
    const waits: number[] = [];
    const { fn, calls } = failing([new Transient('a'), new Transient('b')]);
    await expect(retryLoop(fn, options(3, waits))).resolves.toBe('ok');
    expect(calls).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
  });

  test('GIVEN only transient failures WHEN the attempts run out THEN the last error is rethrown as it is', async () => {
    const waits: number[] = [];
    const last = new Transient('third');
    const { fn, calls } = failing([new Transient('first'), new Transient('second'), last]);
    await expect(retryLoop(fn, options(3, waits))).rejects.toBe(last);
    expect(calls).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
  });

  test('GIVEN a permanent failure WHEN run THEN it is rethrown at once, without a wait', async () => {
    const waits: number[] = [];
    const permanent = new Error('permanent');
    const { fn, calls } = failing([permanent]);
    await expect(retryLoop(fn, options(5, waits))).rejects.toBe(permanent);
    expect(calls).toEqual([1]);
    expect(waits).toEqual([]);
  });

  test('GIVEN attempts 1 WHEN a transient failure occurs THEN it is not repeated', async () => {
    const waits: number[] = [];
    const { fn, calls } = failing([new Transient('once')]);
    await expect(retryLoop(fn, options(1, waits))).rejects.toBeInstanceOf(Transient);
    expect(calls).toEqual([1]);
  });
});
