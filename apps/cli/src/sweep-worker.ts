// Worker thread of `pfmsim sweep --jobs N`: runs the cells it is sent, one message per batch
// (src/sweep/worker-serve.ts, tested there in process).
import { parentPort } from 'node:worker_threads';
import { serveCells } from './sweep/worker-serve.js';

serveCells(parentPort);
