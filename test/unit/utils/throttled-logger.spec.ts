import { afterAll, describe, expect, test } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ThrottledLogger } from '../../../lib/utils/throttled-logger.js';

describe('throttled logger', () => {
  const warnings: string[] = [];
  Logger.overrideLogger({
    log: () => undefined,
    error: () => undefined,
    warn: (message: string) => warnings.push(message),
  });
  afterAll(() => Logger.overrideLogger(true));

  test('a repeated warning is shown once per interval, then says how often it was held back', async () => {
    const log = new ThrottledLogger(50);
    for (let i = 0; i < 4; i++) log.warnEvery('topic', (held) => `fired, ${held} held back`);
    log.warnEvery('other', (held) => `other, ${held} held back`);
    await new Promise((resolve) => setTimeout(resolve, 60));
    log.warnEvery('topic', (held) => `fired, ${held} held back`);
    expect(warnings).toEqual(['fired, 0 held back', 'other, 0 held back', 'fired, 3 held back']);
  });
});
