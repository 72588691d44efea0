// The audit log: policy, event writer, sinks.

export { AuditLogger, auditAttributes, microTime, type AuditLoggerOptions, type AuditSink } from './logger.js';
export { loadPolicyFile, PolicyEvaluator, validatePolicy, type AuditLevel, type Policy, type PolicyRule } from './policy.js';
export { fileAuditSink, type ClosableAuditSink } from './sink.js';
