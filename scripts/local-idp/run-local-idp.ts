// Runs the local IdP alone (without the Workers): `npx tsx scripts/local-idp/run-local-idp.ts [port]`. Ctrl-C stops it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localIdp, localUrl, mcpServer } from '../../system/system.js';
import { startLocalIdp } from './start-local-idp.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const port = process.argv[2] ? Number(process.argv[2]) : localIdp.port;
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`run-local-idp: "${process.argv[2]}" is not a port number`);
  process.exit(1);
}

const idp = await startLocalIdp({
  port,
  // The same folder `npm run dev` uses, so `npm run token` finds the client secrets.
  stateDir: path.join(repoRoot, '.state', 'idp'),
  mcpServerUrl: localUrl(mcpServer.devPort),
});
console.log(`local IdP: ${idp.issuer}`);
for (const user of idp.users) console.log(`  user ${user.email} / ${user.password}`);

const stop = (): void => {
  idp.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
