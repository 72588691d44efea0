// Leader election for background work that one replica does at a time, on a storage lease.

export { Elector, type ElectorLogger, type ElectorOptions, type LeaderElectionRecord } from './elector.js';
