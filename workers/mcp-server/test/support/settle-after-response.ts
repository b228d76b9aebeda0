// Vitest setup file: each test file ends only once the work its last requests scheduled after their responses (request
// log lines, audit writes, server teardown) has run; the isolate is torn down after the file, and a log line written
// during teardown fails the whole run. Imported lazily, so the Worker's own module instance is the one asked.
import { afterAll } from 'vitest';

afterAll(async () => {
  const { afterResponseWorkSettled } = await import('../../src/http/after-response.js');
  await afterResponseWorkSettled();
});
