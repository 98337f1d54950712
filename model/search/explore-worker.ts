/**
 * A worker thread of a search several threads run (`parallel.ts`, `share.ts`): its part of the search, with
 * what the thread that started it gave it.
 * @module
 */
import { workerData } from 'node:worker_threads';
import { runWorker, type ShareData } from './share.ts';

runWorker(workerData as ShareData);
