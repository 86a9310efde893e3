// A TCP port for something that must be told its port before it listens (the embedded
// PostgreSQL, a private redis-server, an app under test): asked of the OS, then released.
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  // `once` rejects on 'error', so a failed listen is not mistaken for a port.
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}
