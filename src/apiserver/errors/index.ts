export * from './field.js';
export * from './status-error.js';
export * from './text-error.js';
