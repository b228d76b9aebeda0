// Pulumi.yaml is the config reference and the `pulumi new` template: every key the model reads is described there,
// and the template section has only the fields Pulumi's project schema allows (sdk/go/common/workspace/project.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readStackConfig } from '../stack-config.js';
import { pulumiProject } from '../system.js';

interface ProjectFile {
  config: Record<string, { type: string; description: string; default?: unknown }>;
  template: { config: Record<string, { description?: string; default?: unknown; secret?: boolean }>; [key: string]: unknown };
}
const project = parse(readFileSync(new URL('../../Pulumi.yaml', import.meta.url), 'utf8')) as ProjectFile;

/** The project keys readStackConfig asks for, found by running it over a recording config source. */
function keysTheModelReads(): string[] {
  const read = new Set<string>();
  readStackConfig(
    {
      get: (k) => {
        read.add(k);
        return { auth0Domain: 'example.us.auth0.com', cloudflareAccountId: '0123456789abcdef0123456789abcdef' }[k];
      },
    },
    { get: () => undefined },
    {},
  );
  return [...read].sort();
}

describe('Pulumi.yaml', () => {
  it('describes every config key the stack config model reads, and no other', () => {
    expect(Object.keys(project.config).sort()).toEqual(keysTheModelReads());
    for (const [key, spec] of Object.entries(project.config)) {
      expect(spec.description, key).toMatch(/\S{10,}/);
      expect(['string', 'boolean', 'integer'], key).toContain(spec.type);
    }
  });

  it('has defaults the model accepts', () => {
    const defaults = Object.fromEntries(
      Object.entries(project.config).map(([k, v]) => [k, v.default === undefined ? undefined : String(v.default)]),
    );
    const config = readStackConfig(
      { get: (k) => ({ ...defaults, auth0Domain: 'example.us.auth0.com', cloudflareAccountId: '0123456789abcdef0123456789abcdef' })[k] },
      { get: () => undefined },
      {},
    );
    expect(config).toMatchObject({ userPermissions: ['read:todos', 'write:todos'], protectData: false, namePrefix: '' });
  });

  it('has a template section `pulumi new` can use: allowed fields only, the required keys, provider secrets marked secret', () => {
    const allowed = ['displayName', 'description', 'quickstart', 'important', 'metadata', 'config'];
    for (const field of Object.keys(project.template)) expect(allowed, field).toContain(field);
    const keys = project.template.config;
    for (const [key, spec] of Object.entries(keys)) {
      for (const field of Object.keys(spec)) expect(['description', 'default', 'secret'], `${key}.${field}`).toContain(field);
      expect(spec.description, key).toBeTruthy();
      // A project key must be one the program reads; a namespaced key belongs to a provider.
      if (!key.includes(':')) expect(Object.keys(project.config), key).toContain(key);
    }
    expect(Object.keys(keys)).toEqual(expect.arrayContaining(['auth0Domain', 'cloudflareAccountId', 'auth0:clientId']));
    expect(keys['auth0:clientSecret']?.secret).toBe(true);
    expect(keys['cloudflare:apiToken']?.secret).toBe(true);
    expect(project.config).not.toHaveProperty(`${pulumiProject}:auth0Domain`);
  });
});
