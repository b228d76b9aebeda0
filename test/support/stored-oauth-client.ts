// What an MCP host keeps of its OAuth client (registration, tokens, PKCE verifier), for either SDK's OAuthClientProvider.

/** mcp-remote and Claude Desktop keep this on disk; the e2e clients keep it in fields. */
export class StoredOAuthClient<ClientInformation, Tokens> {
  #client: ClientInformation | undefined;
  #tokens: Tokens | undefined;
  #verifier = '';

  clientInformation(): ClientInformation | undefined {
    return this.#client;
  }
  saveClientInformation(info: ClientInformation): void {
    this.#client = info;
  }
  tokens(): Tokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: Tokens): void {
    this.#tokens = tokens;
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.#verifier;
  }
}
