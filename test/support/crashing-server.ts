// A small HTTP server whose handlers fail outside any try/catch, guarded by CrashGuard; run as a
// child process by the crash-guard test, it prints its port and logs each recovered failure.

import { createServer } from 'node:http';
import { CrashGuard } from '../../src/apiserver/server/crash-guard.js';

const guard = new CrashGuard({ error: (obj, msg) => process.stderr.write(`${msg}: ${String((obj.err as Error | undefined)?.message)}\n`) });
guard.install(process);

const server = createServer(
  guard.wrap((req, res) => {
    switch (req.url) {
      case '/throw':
        throw new Error('thrown by the handler');
      case '/timer':
        setTimeout(() => {
          throw new Error('thrown by a timer');
        }, 5);
        return;
      case '/rejection':
        void Promise.reject(new Error('rejected promise'));
        return;
      case '/close-listener':
        res.once('close', () => {
          throw new Error('thrown by a close listener');
        });
        res.end('ok');
        return;
      case '/finish-listener':
        res.once('finish', () => {
          throw new Error('thrown by a finish listener');
        });
        res.end('ok');
        return;
      case '/midway':
        res.writeHead(200);
        res.write('partial');
        setTimeout(() => {
          throw new Error('thrown after the head was sent');
        }, 5);
        return;
      default:
        res.end('alive');
    }
  }),
);
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`port ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
