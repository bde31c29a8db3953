// Runs an engine worker from its TypeScript source (npm scripts run the engine under tsx).
// Node 20 does not apply the parent's loader hooks to a worker's entry file, so register tsx here.
// Built apps start worker.js directly and never load this file.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
