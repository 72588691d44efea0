// Field validation of the image API: pure functions returning FieldErrorLists.

export * from './allowlist.js';
export * from './image.js';
export * from './imagestream.js';
