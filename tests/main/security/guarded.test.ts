import { describe, expect, it } from 'vitest';
import { answerGuarded, guarded } from '../../../main/security/guarded.js';

describe('guarded entries', () => {
  it('turns a synchronous throw into the fallback and one log line', () => {
    const log: string[] = [];
    const answered: string[] = [];
    const entry = guarded(
      'test entry',
      (_x: string) => {
        throw new Error('boom\nstack');
      },
      (err, x) => answered.push(`${x}:${(err as Error).message.split('\n')[0]}`),
      (l) => log.push(l),
    );
    expect(() => entry('req')).not.toThrow();
    expect(answered).toEqual(['req:boom']);
    expect(log).toEqual(['duet: test entry failed: boom']);
  });

  it('catches a rejected promise, and a fallback that throws too', async () => {
    const log: string[] = [];
    const entry = guarded(
      'async entry',
      async () => {
        throw new Error('later');
      },
      () => {
        throw new Error('fallback broke');
      },
      (l) => log.push(l),
    );
    entry();
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['duet: async entry failed: later', 'duet: async entry fallback failed: fallback broke']);
  });

  it('leaves a handler that succeeds alone', async () => {
    const log: string[] = [];
    let ran = 0;
    guarded(
      'ok',
      () => ran++,
      () => undefined,
      (l) => log.push(l),
    )();
    expect(ran).toBe(1);
    expect(log).toEqual([]);
    await expect(
      answerGuarded(
        'ok',
        () => 7,
        () => 0,
        (l) => log.push(l),
      ),
    ).resolves.toBe(7);
    await expect(
      answerGuarded(
        'ipc',
        () => {
          throw new TypeError('x');
        },
        () => -1,
        (l) => log.push(l),
      ),
    ).resolves.toBe(-1);
    expect(log).toEqual(['duet: ipc failed: x']);
  });
});
