// listen: binds a node:net server to a TCP port (IPv4 or IPv6) or a unix socket path, and
// resolves once it is listening, or rejects with the bind error (EADDRINUSE, EACCES, ...).
import type { Server as NetServer } from "node:net";

/** ListenOptions says where to listen; `unix` wins over port and hostname. */
export interface ListenOptions {
  port?: number | undefined;
  hostname?: string | undefined;
  unix?: string | undefined;
  backlog?: number | undefined;
}

/** listen starts netServer and resolves when it accepts connections. */
export function listen(netServer: NetServer, options: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      netServer.off("listening", onListening);
      reject(err);
    };
    const onListening = (): void => {
      netServer.off("error", onError);
      resolve();
    };
    netServer.once("error", onError);
    netServer.once("listening", onListening);
    if (options.unix !== undefined) netServer.listen({ path: options.unix, backlog: options.backlog ?? 511 });
    else netServer.listen({ port: options.port ?? 3000, host: options.hostname ?? "0.0.0.0", backlog: options.backlog ?? 511 });
  });
}
