// Test harness: runs the Pulumi program under Pulumi's mock runtime and records every resource and invoke.
import * as pulumi from '@pulumi/pulumi';
import { pulumiProject } from '../../../system/system.js';

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Top-level inputs that arrived as secrets (or holding one). */
  secretInputs: string[];
  /** Paths of every value that arrived wrapped as a secret, e.g. `bindings.3.text`. */
  secretPaths: string[];
  /** The `protect` and `retainOnDelete` options the engine would receive (after inheritance from the parent). */
  protect: boolean;
  retainOnDelete: boolean;
}

// Pulumi's wire marker for secret values (sig.Secret in the SDK's rpc serialisation).
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

function unwrapSecrets(value: unknown, found: { secret: boolean; paths: string[] }, at: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, found, `${at}.${i}`));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (obj['4dabf18193072939515e22adb298388d'] === SECRET_SIG) {
      found.secret = true;
      found.paths.push(at);
      return unwrapSecrets(obj.value, found, at);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v, found, `${at}.${k}`)]));
  }
  return value;
}

/** Fake provider state for the few outputs the program reads back. */
function fakeState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case 'auth0:index/client:Client':
      return { ...inputs, clientId: `client-id-${name}` };
    case 'auth0:index/clientCredentials:ClientCredentials':
      return { ...inputs, clientSecret: `mock-secret:${name}` };
    case 'cloudflare:index/d1Database:D1Database':
      return { ...inputs, uuid: '11111111-2222-3333-4444-555555555555' };
    case 'auth0:index/action:Action':
      return { ...inputs, id: `action-id-${name}` };
    case 'random:index/randomBytes:RandomBytes':
      return { ...inputs, hex: 'ab'.repeat(32), base64: `${'q'.repeat(43)}=` };
    case 'pulumi-nodejs:dynamic:Resource':
      return { ...inputs, applied: ['0001_init.sql'] };
    default:
      return inputs;
  }
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getProtect(): boolean;
  getRetainondelete(): boolean;
}

export interface ProgramRun {
  resources: RecordedResource[];
  invokes: { token: string; args: Record<string, unknown> }[];
  outputs: Record<string, unknown>;
  /** Output names whose value is a Pulumi secret. */
  secretOutputs: string[];
}

/** Resolve an Output (or plain value) to its value and whether it is secret. */
export async function settle(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  if (!pulumi.Output.isInstance(value)) return { value, secret: false };
  const output = value as pulumi.Output<unknown>;
  const secret = await pulumi.isSecret(output);
  const resolved = await new Promise((resolve) => output.apply((v) => resolve(v)));
  return { value: resolved, secret };
}

/**
 * Set mocks + config, import the program fresh with `importProgram` (a dynamic import after vi.resetModules)
 * and wait for every output.
 */
export async function runProgram(
  config: Record<string, string>,
  importProgram: () => Promise<Record<string, unknown>>,
): Promise<ProgramRun> {
  const resources: RecordedResource[] = [];
  const invokes: ProgramRun['invokes'] = [];
  const options = new Map<string, { protect: boolean; retainOnDelete: boolean }>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const secretInputs: string[] = [];
        const secretPaths: string[] = [];
        const inputs: Record<string, unknown> = {};
        for (const [key, raw] of Object.entries(args.inputs as Record<string, unknown>)) {
          const f = { secret: false, paths: secretPaths };
          inputs[key] = unwrapSecrets(raw, f, key);
          if (f.secret) secretInputs.push(key);
        }
        const opts = options.get(`${args.type}::${args.name}`) ?? { protect: false, retainOnDelete: false };
        resources.push({ type: args.type, name: args.name, inputs, secretInputs, secretPaths, ...opts });
        return { id: `${args.name}-id`, state: fakeState(args.type, args.name, inputs) };
      },
      call(args) {
        invokes.push({ token: args.token, args: args.inputs as Record<string, unknown> });
        if (args.token === 'auth0:index/getConnection:getConnection') {
          return { id: 'con_database', name: args.inputs.name, strategy: 'auth0' };
        }
        if (args.token === 'cloudflare:index/getZone:getZone') {
          const filter = args.inputs.filter as { name?: string } | undefined;
          return { id: `zone-id-of-${filter?.name}`, zoneId: `zone-id-of-${filter?.name}`, name: filter?.name, status: 'active' };
        }
        return {};
      },
    },
    pulumiProject,
    'test',
    true,
  );
  // The mock monitor hands newResource no resource options: read protect/retainOnDelete off the registration request.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    options.set(`${req.getType()}::${req.getName()}`, { protect: req.getProtect(), retainOnDelete: req.getRetainondelete() });
    return register(req, callback);
  };
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(':') ? k : `${pulumiProject}:${k}`, v])),
  );
  const exports = await importProgram();
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(exports)) {
    const settled = await settle(value);
    outputs[key] = settled.value;
    if (settled.secret) secretOutputs.push(key);
  }
  // Let registrations started by applies (children created late) reach the mock.
  await new Promise((r) => setTimeout(r, 50));
  return { resources, invokes, outputs, secretOutputs };
}
