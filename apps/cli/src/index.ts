export { type Ctx, createProgram, describeError, main } from './cli.js';
export { UsageError } from './errors.js';
export { type Io, processIo } from './io.js';
export { VERSION } from './version.js';
