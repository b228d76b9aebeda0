// A minimal cookie jar for driving the IdP with plain fetch (one host; path and expiry attributes honoured loosely).

export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Remember the cookies a response sets (a past expiry or empty value deletes one). */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key = '', val = ''] = a.split('=');
        return key.trim().toLowerCase() === 'expires' && Date.parse(val) <= Date.now();
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
