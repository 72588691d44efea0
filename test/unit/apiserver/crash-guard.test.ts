// Exceptions outside any try/catch (handler, timer, promise, response listeners) are logged and
// answered with a 500 while the response is open; the process keeps serving.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll as after, beforeAll as before, describe, it } from '@jest/globals';

interface Answer {
  status: number;
  body: string;
  error?: string;
}

function get(port: number, path: string): Promise<Answer> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => done({ status: res.statusCode ?? 0, body, error: err.message }));
    });
    req.on('error', (err) => done({ status: 0, body: '', error: err.message }));
    req.end();
  });
}

describe('crash guard', () => {
  let child: ChildProcess;
  let port = 0;
  let log = '';
  before(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', resolve('test/support/crashing-server.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (log += c));
    port = await new Promise<number>((ready, fail) => {
      child.stdout?.setEncoding('utf8').on('data', (c: string) => {
        const m = /port (\d+)/.exec(c);
        if (m) ready(Number(m[1]));
      });
      child.once('exit', (code) => fail(new Error(`exited with ${code}: ${log}`)));
    });
  });
  after(() => {
    child?.kill('SIGKILL');
  });

  /** The child's log reaches us asynchronously: wait until it says `re`. */
  async function logged(re: RegExp): Promise<void> {
    for (let i = 0; i < 100 && !re.test(log); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(log, re);
  }

  it('answers 500 with the panic text when the handler or work it started throws', async () => {
    for (const path of ['/throw', '/timer', '/rejection']) {
      const r = await get(port, path);
      assert.equal(r.status, 500, path);
      assert.equal(r.body, 'This request caused apiserver to panic. Look in the logs for details.\n', path);
    }
    await logged(/unhandled exception; the process continues: thrown by the handler/);
    await logged(/thrown by a timer/);
    await logged(/rejected promise/);
  });

  it('survives exceptions in response listeners and after the head was sent', async () => {
    assert.equal((await get(port, '/close-listener')).body, 'ok');
    assert.equal((await get(port, '/finish-listener')).body, 'ok');
    const midway = await get(port, '/midway');
    assert.equal(midway.status, 200);
    assert.ok(midway.error !== undefined || midway.body === 'partial', 'a half-sent answer is cut off');
    await logged(/thrown by a close listener/);
    await logged(/thrown by a finish listener/);
    await logged(/thrown after the head was sent/);
  });

  it('keeps serving afterwards', async () => {
    assert.equal(child.exitCode, null);
    assert.deepEqual(await get(port, '/'), { status: 200, body: 'alive' });
  });
});
