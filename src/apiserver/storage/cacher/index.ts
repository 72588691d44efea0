// Serving from memory: a watch cache per resource in front of the etcd storage.

export { Cacher, defaultCacherConfig, type CacherConfig, type CacherStats } from './cacher.js';
