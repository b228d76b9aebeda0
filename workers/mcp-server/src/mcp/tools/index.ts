// Tools of the MCP server (re-exports only).
export { registerTools } from './register-tools.js';
export type { ToolContext } from './tool-context.js';
export { toolMessages } from './tool-result.js';
