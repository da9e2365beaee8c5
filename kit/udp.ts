// A UDP port nobody holds right now (bind to 0, read it, close), for a `url:udp://` source that a
// test or the soak sends to.
import dgram from 'node:dgram';

export async function freeUdpPort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const { port } = sock.address();
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}
