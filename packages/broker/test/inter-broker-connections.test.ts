/**
 * The registry of the cluster's own inter-broker connections: a connection is a broker's while
 * its socket is open, found by the remote end the accepting side sees, however that address is
 * spelt (dual-stack IPv4, bracketed IPv6); anything else is no broker's.
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InterBrokerConnections } from '../src/inter-broker-connections.js';

describe('InterBrokerConnections', () => {
  it("knows a registered socket's remote end as that broker's until it closes", async () => {
    const accepted: Socket[] = [];
    const server = createServer((s) => accepted.push(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      const registry = new InterBrokerConnections();
      const client = connect({ host: '127.0.0.1', port });
      await once(client, 'connect');
      registry.register(client, 2);
      const clientPort = client.localPort;
      const other = connect({ host: '127.0.0.1', port });
      await once(other, 'connect');
      expect(registry.brokerAt(`127.0.0.1:${client.localPort}`)).toBe(2);
      expect(registry.brokerAt(`::ffff:127.0.0.1:${client.localPort}`)).toBe(2);
      expect(registry.brokerAt(`127.0.0.1:${other.localPort}`)).toBeNull();
      expect(registry.brokerAt('garbage')).toBeNull();
      client.destroy();
      await once(client, 'close');
      expect(registry.brokerAt(`127.0.0.1:${clientPort}`)).toBeNull();
      other.destroy();
    } finally {
      for (const s of accepted) s.destroy();
      server.close();
    }
  });
});
