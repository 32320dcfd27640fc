#!/usr/bin/env node
import { mainAsync } from './cli.js';
import { watchStdout } from './streams.js';

watchStdout(process);
process.exitCode = await mainAsync(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
