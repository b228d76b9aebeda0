// oidc-provider storage (grants, refresh tokens, sessions, …) kept in memory and mirrored to one JSON file,
// so refresh tokens and login sessions survive an IdP restart in local mode.
import { renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';

interface StoredEntry {
  readonly payload: AdapterPayload;
  /** Epoch milliseconds; absent = no expiry. */
  readonly expiresAt?: number;
}

type StoreData = Record<string, Record<string, StoredEntry>>;

/** The whole store: one map per oidc-provider model name ("Grant", "RefreshToken", "Session", …). */
export class JsonFileStore {
  readonly #file: string;
  readonly #data: StoreData;

  private constructor(file: string, data: StoreData) {
    this.#file = file;
    this.#data = data;
  }

  /** Load the store from `file` (missing or unreadable → empty: it only holds re-creatable sessions and grants). */
  static async open(file: string): Promise<JsonFileStore> {
    let data: StoreData = {};
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null) data = parsed as StoreData;
    } catch {
      data = {};
    }
    const store = new JsonFileStore(file, data);
    store.#pruneExpired();
    return store;
  }

  #model(name: string): Record<string, StoredEntry> {
    this.#data[name] ??= {};
    return this.#data[name];
  }

  #pruneExpired(): void {
    const now = Date.now();
    for (const entries of Object.values(this.#data)) {
      for (const [id, entry] of Object.entries(entries)) {
        if (entry.expiresAt !== undefined && entry.expiresAt <= now) delete entries[id];
      }
    }
  }

  /**
   * Write synchronously (temp file + rename): a handful of small records, and a write that finished before the
   * token response was sent cannot be lost by a crash or a quick restart.
   */
  #flush(): void {
    this.#pruneExpired();
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#data), { mode: 0o600 });
    renameSync(tmp, this.#file);
  }

  get(model: string, id: string): AdapterPayload | undefined {
    const entry = this.#model(model)[id];
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) return undefined;
    // A copy: oidc-provider mutates what it loads, and only upsert() may change what is stored.
    return structuredClone(entry.payload);
  }

  set(model: string, id: string, payload: AdapterPayload, expiresInSeconds?: number): void {
    this.#model(model)[id] = {
      payload: structuredClone(payload),
      ...(expiresInSeconds !== undefined ? { expiresAt: Date.now() + expiresInSeconds * 1000 } : {}),
    };
    this.#flush();
  }

  update(model: string, id: string, change: (payload: AdapterPayload) => AdapterPayload): void {
    const entry = this.#model(model)[id];
    if (!entry) return;
    this.#model(model)[id] = { ...entry, payload: change(structuredClone(entry.payload)) };
    this.#flush();
  }

  delete(model: string, id: string): void {
    if (!(id in this.#model(model))) return;
    delete this.#model(model)[id];
    this.#flush();
  }

  /** Ids and payloads of one model's live records. */
  list(model: string): Array<[string, AdapterPayload]> {
    const now = Date.now();
    return Object.entries(this.#model(model))
      .filter(([, entry]) => entry.expiresAt === undefined || entry.expiresAt > now)
      .map(([id, entry]) => [id, structuredClone(entry.payload)]);
  }

  /** Delete every record, of any model, that belongs to this grant (or is the grant itself). */
  deleteGrant(grantId: string): void {
    for (const [name, entries] of Object.entries(this.#data)) {
      for (const [id, entry] of Object.entries(entries)) {
        if (entry.payload.grantId === grantId || (name === 'Grant' && id === grantId)) delete entries[id];
      }
    }
    this.#flush();
  }
}

/** An oidc-provider adapter class bound to `store`. */
export function jsonFileAdapter(store: JsonFileStore): AdapterConstructor {
  return class JsonFileAdapter implements Adapter {
    readonly #name: string;

    constructor(name: string) {
      this.#name = name;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      store.set(this.#name, id, payload, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return store.get(this.#name, id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return store.list(this.#name).find(([, payload]) => payload.userCode === userCode)?.[1];
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return store.list(this.#name).find(([, payload]) => payload.uid === uid)?.[1];
    }

    async consume(id: string): Promise<void> {
      store.update(this.#name, id, (payload) => ({ ...payload, consumed: Math.floor(Date.now() / 1000) }));
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.#name, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [id, payload] of store.list(this.#name)) {
        if (payload.grantId === grantId) store.delete(this.#name, id);
      }
    }
  };
}
