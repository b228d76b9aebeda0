// Test stand-in for the few Cloudflare API v4 endpoints the program calls directly, on loopback, with real envelopes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCloudflareApi {
  baseUrl: string;
  token: string;
  /** Live Durable Object migration tag by script name (absent = script does not exist). */
  liveTags: Map<string, string>;
  /** `<sub>` for /workers/subdomain; undefined = the account has none. */
  subdomain: string | undefined;
  /** The API error code a missing script answers with (Cloudflare has used 10007, 10090 and 10092). */
  missingScriptCode: number;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeCloudflareApi(accountId: string, token = 'fake-cloudflare-token'): Promise<FakeCloudflareApi> {
  const state = {
    liveTags: new Map<string, string>(),
    subdomain: 'looked-up' as string | undefined,
    missingScriptCode: 10090,
    requests: [] as string[],
  };
  const server: Server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const fail = (status: number, code: number, message: string) =>
      send(status, { success: false, errors: [{ code, message }], messages: [], result: null });
    if (req.headers.authorization !== `Bearer ${token}`) return fail(403, 10000, 'Authentication error');
    const prefix = `/accounts/${accountId}/workers/`;
    if (req.method !== 'GET' || !req.url?.startsWith(prefix)) return fail(404, 7003, `Could not route to ${req.url}`);
    const rest = req.url.slice(prefix.length);
    if (rest === 'subdomain') {
      return state.subdomain
        ? send(200, { success: true, errors: [], messages: [], result: { subdomain: state.subdomain } })
        : fail(404, 10007, "You haven't registered a workers.dev subdomain");
    }
    const service = /^services\/([a-z0-9-]+)$/.exec(rest)?.[1];
    if (service) {
      if (!state.liveTags.has(service)) return fail(404, state.missingScriptCode, 'workers.api.error.service_not_found');
      return send(200, {
        success: true,
        errors: [],
        messages: [],
        result: {
          id: service,
          default_environment: { environment: 'production', script: { id: service, migration_tag: state.liveTags.get(service) } },
        },
      });
    }
    return fail(404, 7003, `Could not route to ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeCloudflareApi = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    get liveTags() {
      return state.liveTags;
    },
    get subdomain() {
      return state.subdomain;
    },
    set subdomain(value) {
      state.subdomain = value;
    },
    get missingScriptCode() {
      return state.missingScriptCode;
    },
    set missingScriptCode(value) {
      state.missingScriptCode = value;
    },
    get requests() {
      return state.requests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return fake;
}
