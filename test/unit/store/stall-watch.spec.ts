import { afterEach, describe, expect, test } from '@jest/globals';
import { StallWatch } from '../../../lib/store/stall-watch.js';

/*
 * The stall watch withholds the store's reads after a sign that the store stalled, and only
 * then: time this process spent behind its own timers (a long turn of callbacks, a starved or
 * blocked loop) is not the store's, so a busy process keeps serving its hits.
 */
const SETTINGS = { stallMs: 125, idleMs: 62, settleMs: 2_000 };
const watches: StallWatch[] = [];
afterEach(() => watches.splice(0).forEach((watch) => watch.dispose()));

function armedWatch(): StallWatch {
  const watch = new StallWatch(SETTINGS, () => undefined);
  watch.arm();
  watches.push(watch);
  return watch;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Keeps this process busy, as a long synchronous callback (or a major GC) would. */
function busyFor(ms: number): void {
  for (const end = Date.now() + ms; Date.now() < end;);
}

describe('StallWatch', () => {
  test('an answer that came late while this process idled is a stall: reads are withheld', async () => {
    const watch = armedWatch();
    const sent = watch.sent();
    await sleep(200);
    watch.answered(sent);
    expect(watch.calm).toBe(false);
  });

  test('an answer read late because the turn it was read in was busy is no stall', async () => {
    const watch = armedWatch();
    await sleep(100); // the watch has ticked
    const sent = watch.sent();
    busyFor(250); // the answer's callback waits behind this turn's other callbacks
    watch.answered(sent);
    expect(watch.calm).toBe(true);
  });

  test('two long turns while a call is out are both this process’s time, not the store’s', async () => {
    const watch = armedWatch();
    await sleep(100);
    const sent = watch.sent();
    for (let i = 0; i < 2; i++) {
      busyFor(150);
      await sleep(1); // the next turn: the watch's timer sees how late it is
    }
    watch.answered(sent);
    expect(watch.calm).toBe(true);
  });

  test('a stall in the store is still seen when this process was also busy for part of it', async () => {
    const watch = armedWatch();
    const sent = watch.sent();
    busyFor(100);
    await sleep(250);
    watch.answered(sent);
    expect(watch.calm).toBe(false);
  });

  test('a prompt answer, and a missed deadline before the watch is armed, are no stall', async () => {
    const watch = new StallWatch(SETTINGS, () => undefined);
    watches.push(watch);
    watch.sent();
    watch.abandoned();
    expect(watch.calm).toBe(true);
    watch.arm();
    const sent = watch.sent();
    await sleep(10);
    watch.answered(sent);
    expect(watch.calm).toBe(true);
  });
});
