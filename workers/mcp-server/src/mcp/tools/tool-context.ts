// What every tool needs besides its arguments: where the Todos API is and how to get the upstream token.
import type { McpProps } from '../../props.js';
import type { TodosApiTarget } from '../todos-api-client.js';

export interface ToolContext {
  /** The Todos API binding / base URL (the Worker's env). */
  api: TodosApiTarget;
  /** A valid upstream (IdP) access token for this grant; may refresh. Throws UpstreamAuthError. */
  upstreamAccessToken(props: McpProps): Promise<string>;
}
