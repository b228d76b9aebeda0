// wrangler.jsonc must agree with system/system.ts, the single description of the system.
import { type ParseError, parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { todosApi } from '../../../system/system.js';
import wranglerJsonc from '../wrangler.jsonc?raw';

interface WranglerConfig {
  name: string;
  dev: { port: number };
  vars: Record<string, string>;
  d1_databases: { binding: string; database_name: string }[];
}

const errors: ParseError[] = [];
const config = parse(wranglerJsonc, errors) as WranglerConfig;

describe('wrangler.jsonc', () => {
  it('should parse without errors', () => {
    expect(errors).toEqual([]);
  });

  it('should use the Worker name, dev port and audience of system.ts', () => {
    expect(config.name).toBe(todosApi.workerName);
    expect(config.dev.port).toBe(todosApi.devPort);
    expect(config.vars.AUTH0_AUDIENCE).toBe(todosApi.identifier);
  });

  it('should bind the D1 database of system.ts', () => {
    expect(config.d1_databases).toEqual([
      expect.objectContaining({ binding: todosApi.database.binding, database_name: todosApi.database.name }),
    ]);
  });
});
