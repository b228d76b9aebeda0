// The Pulumi project name is typed once (system.ts) and must be the one Pulumi.yaml declares: config keys and type tokens use it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pulumiProject } from '../system.js';

describe('pulumiProject', () => {
  it('should be the name in Pulumi.yaml', () => {
    const project = parse(readFileSync(new URL('../../Pulumi.yaml', import.meta.url), 'utf8')) as { name?: unknown };
    expect(project.name).toBe(pulumiProject);
  });
});
