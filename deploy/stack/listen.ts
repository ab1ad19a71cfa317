/** A `stack.listen.*` value split up; an empty host means every interface. */
export function parseListen(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/**
 * Where the stack's own processes reach a listener: a wildcard host is reached on loopback, so
 * Prometheus never scrapes through an interface that a firewall may close.
 */
export function localAddress(address: string): string {
  const { host, port } = parseListen(address);
  return `${host === '' || host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

export function localUrl(address: string, path = '/'): string {
  return `http://${localAddress(address)}${path}`;
}
