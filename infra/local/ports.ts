/** Free-port helpers: the runtime prefers well-known ports but must not fail when one is taken. */
import net from 'node:net';

/** Can we bind this port on this host right now? */
export const isPortFree = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });

/** A port the OS considers free (there is a small race until the caller binds it). */
export const freePort = (host = '127.0.0.1') =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/**
 * `preferred` if it is free, otherwise a random free port and `onFallback` is told why.
 * 0 means "any port".
 */
export const choosePort = async (
  preferred: number,
  host: string,
  onFallback: (chosen: number) => void,
): Promise<number> => {
  if (preferred === 0) return freePort(host);
  if (await isPortFree(preferred, host)) return preferred;
  const chosen = await freePort(host);
  onFallback(chosen);
  return chosen;
};

export const isAddressInUse = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
