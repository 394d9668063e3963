// One server for every browser test file (starting one takes ~20 s of demo data): started here, its URL provided.
import type { TestProject } from 'vitest/node';
import { startServer } from './harness.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer();
  project.provide('mizanBase', server.base);
  return server.stop;
}
