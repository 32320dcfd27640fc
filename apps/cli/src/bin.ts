#!/usr/bin/env node
// The `pfmsim` binary; what it does is src/entry.ts (tested there, in process).
import { runBin } from './entry.js';

process.exitCode = await runBin(process);
