// The MCP server's COOKIE_ENCRYPTION_KEY for local mode: random once, then kept in the state folder.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const KEY_FILE = 'cookie-encryption-key';

/**
 * Read the key from `<stateDir>/cookie-encryption-key`, creating it (32 random bytes, hex, mode 0600) if absent.
 * Kept across restarts so consent cookies a browser already holds stay valid.
 */
export async function loadCookieEncryptionKey(stateDir: string): Promise<string> {
  const file = path.join(stateDir, KEY_FILE);
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(key)) return key;
    throw new Error(`${file} does not hold a 64-digit hex key: delete it and a new one will be made`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('hex');
  await mkdir(stateDir, { recursive: true });
  // 'wx': if two stacks race on a fresh state folder, the loser re-reads the winner's key instead of overwriting it.
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadCookieEncryptionKey(stateDir);
    throw error;
  }
}
