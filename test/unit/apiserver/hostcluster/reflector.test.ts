import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { pino } from 'pino';
import { Reflector, type ReflectorSource, type WatchEventType } from '../../../../src/apiserver/hostcluster/reflector.js';

interface Item {
  name: string;
  rv: string;
}

type Script = { events: [WatchEventType, unknown][]; error?: unknown };

/** A source whose watches replay scripted events and then end. */
function source(lists: Item[][], watches: Script[]) {
  const seen = { lists: 0, watchRVs: [] as string[] };
  const s: ReflectorSource<Item> = {
    list: async () => {
      const items = lists[Math.min(seen.lists, lists.length - 1)];
      seen.lists++;
      return { items, resourceVersion: String(10 * seen.lists) };
    },
    watch: async (rv, onEvent, onDone) => {
      seen.watchRVs.push(rv);
      const script = watches.shift();
      setTimeout(() => {
        if (!script) return; // stays open
        for (const [type, obj] of script.events) onEvent(type, obj);
        onDone(script.error ?? null);
      }, 5);
      return () => undefined;
    },
  };
  return { s, seen };
}

const obj = (name: string, rv: string) => ({ metadata: { name, resourceVersion: rv } });

describe('the list-watch reflector', () => {
  it('lists, applies watch events, resumes from the last resourceVersion and relists after 410 Gone', async () => {
    const state = new Map<string, string>();
    const { s, seen } = source(
      [[{ name: 'a', rv: '1' }], [{ name: 'z', rv: '50' }]],
      [
        { events: [['ADDED', obj('b', '11')], ['BOOKMARK', obj('', '12')]] },
        { events: [['DELETED', obj('a', '13')], ['ERROR', { kind: 'Status', code: 410, reason: 'Expired' }]] },
      ],
    );
    const r = new Reflector<Item>({
      name: 'test',
      source: s,
      decode: (o) => {
        const md = (o as { metadata: { name: string; resourceVersion: string } }).metadata;
        return { name: md.name, rv: md.resourceVersion };
      },
      handlers: {
        replace: (items) => {
          state.clear();
          for (const i of items) state.set(i.name, i.rv);
        },
        apply: (type, i) => (type === 'DELETED' ? state.delete(i.name) : state.set(i.name, i.rv)),
      },
      logger: pino({ level: 'silent' }),
      minBackoffMs: 1,
    }).start();
    assert.equal(await r.waitForSync(1000), true);
    const deadline = Date.now() + 3000;
    while (seen.lists < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    await new Promise((res) => setTimeout(res, 20));
    r.stop();
    assert.deepEqual(seen.watchRVs.slice(0, 3), ['10', '12', '20'], 'resumed after the bookmark, then watched from the relist');
    assert.deepEqual([...state], [['z', '50']], 'the relist replaced the state');
  });
});
