export { freePort } from '../../src/app/etcd-process.js';
