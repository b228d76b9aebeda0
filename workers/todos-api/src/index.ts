// Worker entry point of the Todos API.
import { app } from './app.js';

export default app satisfies ExportedHandler<Env>;
