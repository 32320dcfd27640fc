export * from './accessors.js';
export * from './constants.js';
export * from './errno.js';
export * from './layouts.js';
export * from './limits.js';
export * from './profiles.js';
export * from './smpl-layouts.js';
export * from './structs.js';
