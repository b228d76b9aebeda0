// Adds the optional vars to the generated Env: `wrangler types` only types what wrangler.jsonc declares (vars + secrets.required).
declare namespace Cloudflare {
  interface Env {
    /** Explicit issuer URL (local mode). `http://` is accepted only for loopback hosts. Default: `https://<AUTH0_DOMAIN>/`. */
    AUTH0_ISSUER?: string;
    /** Canonical origin of this server (e.g. `https://mcp.example.com`). Default: the request's origin. */
    MCP_SERVER_URL?: string;
    /** Browser origins (besides the canonical one) allowed to call /mcp and /sse, separated by spaces or commas. */
    MCP_ALLOWED_ORIGINS?: string;
  }
}
interface Env {
  AUTH0_ISSUER?: string;
  MCP_SERVER_URL?: string;
  MCP_ALLOWED_ORIGINS?: string;
}
