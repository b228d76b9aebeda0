// Checks before start-up that the local stack's ports are free, so a clash fails with a message that says what to do.
import net from 'node:net';

/** A port the stack needs is taken by another process (often a previous `npm run dev` still running). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  readonly code = 'PORT_IN_USE';
  readonly port: number;
  readonly service: string;
  constructor(port: number, service: string) {
    super(
      `Port ${port} (${service}) is already in use on localhost. ` +
        `Stop whatever listens there (a previous \`npm run dev\`? see \`lsof -i :${port}\` or \`ss -ltnp | grep :${port}\`), ` +
        `or start the stack on other ports.`,
    );
    this.port = port;
    this.service = service;
  }
}

/**
 * `localhost` may resolve to 127.0.0.1 and/or ::1 and clients try both, so a listener on either address (or on a
 * wildcard address) would steal some of our requests: probe both loopback addresses.
 */
export async function ensurePortsFree(ports: ReadonlyArray<{ port: number; service: string }>): Promise<void> {
  for (const { port, service } of ports) {
    for (const host of ['127.0.0.1', '::1']) {
      const outcome = await probe(port, host);
      if (outcome === 'in-use') throw new PortInUseError(port, service);
    }
  }
}

function probe(port: number, host: string): Promise<'free' | 'in-use' | 'no-such-address'> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve('in-use');
      // No IPv6 on this machine: nothing can listen on ::1 either.
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') resolve('no-such-address');
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve('free')));
  });
}
