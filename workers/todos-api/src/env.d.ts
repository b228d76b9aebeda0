// Adds the optional local-mode var to the generated Env: `wrangler types` only knows vars declared in wrangler.jsonc.
declare namespace Cloudflare {
  interface Env {
    /** Explicit issuer URL (local mode). `http://` is accepted only for loopback hosts. Default: `https://<AUTH0_DOMAIN>/`. */
    AUTH0_ISSUER?: string;
  }
}
interface Env {
  AUTH0_ISSUER?: string;
}
