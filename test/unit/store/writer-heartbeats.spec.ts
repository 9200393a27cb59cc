import { afterEach, describe, expect, test } from '@jest/globals';
import type { HeartbeatReason } from '../../../lib/store/backends/page-backend.js';
import { WriterHeartbeats } from '../../../lib/store/backends/writer-heartbeats.js';

/* One heartbeat per writer while any reason needs it; each reason starts and ends on its own. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let heartbeats: WriterHeartbeats | undefined;

afterEach(() => heartbeats?.dispose());

/** Heartbeats every 10 ms; `beats` gives the reasons of each beat since the last call. */
function recorded() {
  let seen: string[] = [];
  heartbeats = new WriterHeartbeats(
    (writer, reasons) => seen.push(`${writer}: ${[...reasons].join('+')}`),
    10,
  );
  const beats = async () => {
    await sleep(60);
    const since = seen;
    seen = [];
    return new Set(since);
  };
  return { heartbeats, beats };
}

describe('writer heartbeats', () => {
  test('ending the intents keeps the beat the leases still need', async () => {
    const { heartbeats, beats } = recorded();
    heartbeats.set('w', true, 'leases');
    heartbeats.set('w', true, 'intents');
    expect(await beats()).toEqual(new Set(['w: leases+intents']));
    heartbeats.set('w', false, 'intents');
    expect(await beats()).toEqual(new Set(['w: leases']));
    heartbeats.set('w', false, 'leases');
    await beats();
    expect(await beats()).toEqual(new Set());
  });

  test('ending the leases keeps the beat the intents still need', async () => {
    const { heartbeats, beats } = recorded();
    heartbeats.set('w', true, 'intents');
    heartbeats.set('w', true, 'leases');
    heartbeats.set('w', false, 'leases');
    expect(await beats()).toEqual(new Set(['w: intents']));
  });

  test('a reason ended twice, or never started, ends nothing else', async () => {
    const { heartbeats, beats } = recorded();
    heartbeats.set('w', true, 'leases');
    for (const reason of ['intents', 'intents'] as HeartbeatReason[]) heartbeats.set('w', false, reason);
    heartbeats.set('other', false, 'leases');
    expect(await beats()).toEqual(new Set(['w: leases']));
  });

  test('writers beat apart, and dispose() stops every beat', async () => {
    const { heartbeats, beats } = recorded();
    heartbeats.set('a', true, 'leases');
    heartbeats.set('b', true, 'intents');
    expect(await beats()).toEqual(new Set(['a: leases', 'b: intents']));
    heartbeats.dispose();
    await beats();
    expect(await beats()).toEqual(new Set());
  });
});
