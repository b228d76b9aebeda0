// What every tool needs besides its arguments: where the Todos API is and how to get the upstream token.
import type { McpProps } from '../../props.js';
import type { TodosApiTarget } from '../todos-api-client.js';

export interface ToolContext {
  /** The Todos API binding / base URL (the Worker's env). */
  api: TodosApiTarget;
  /** A valid upstream (IdP) access token for this grant; may refresh. Throws UpstreamAuthError. */
  upstreamAccessToken(props: McpProps): Promise<string>;
  /**
   * Called when the IdP refused the grant's refresh token (`reauth_required`): ends the MCP grant, so
   * the client's next request is refused and it signs in again. Absent where the grant cannot be
   * ended from here (the /sse session object): there the client's next refresh ends it.
   */
  onReauthRequired?(): Promise<void>;
}
