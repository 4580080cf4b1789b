/**
 * Which connections come from a broker of this cluster. Kafka lets only brokers fetch as a
 * replica (ClusterAction on the cluster, and in KRaft the fetcher's broker epoch): a Fetch that
 * names a `replicaId` moves the follower's position at the leader, and so the high watermark and
 * what acks=all acknowledges. An ordinary client that could send one would make the leader
 * acknowledge records no follower has.
 *
 * The whole cluster runs in one process, so a broker proves who it is by the socket itself: each
 * inter-broker client registers the local end of every connection it opens, and the accepting
 * broker looks the connection's remote end up here. Nothing on the wire changes (a client we did
 * not write stays a client), and no other process can own that local address while the
 * connection is open.
 */
import type { Socket } from 'node:net';

/**
 * One spelling per address: IPv6 without brackets, and an IPv4 address as a dual-stack socket
 * reports it (`::ffff:127.0.0.1`) written as the IPv4 one.
 */
function normalise(address: string | undefined): string {
  if (!address) return '';
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  return bare.startsWith('::ffff:') ? bare.slice(7) : bare;
}

/** Key of a socket end: `address:port`. */
function endpoint(address: string | undefined, port: number | undefined): string {
  return `${normalise(address)}:${port ?? -1}`;
}

/** The cluster's own inter-broker connections, by their client-side address. */
export class InterBrokerConnections {
  private readonly byLocalEnd = new Map<string, number>();

  /**
   * Records `socket` (connected) as opened by broker `nodeId`, until it closes. Called before the
   * first request is written, so the accepting side always finds it.
   */
  register(socket: Socket, nodeId: number): void {
    const key = endpoint(socket.localAddress, socket.localPort);
    this.byLocalEnd.set(key, nodeId);
    socket.once('close', () => {
      if (this.byLocalEnd.get(key) === nodeId) this.byLocalEnd.delete(key);
    });
  }

  /**
   * The node id of the broker that opened the connection whose remote end, as the accepting side
   * sees it, is `remote` (`address:port`), or null when it is not one of this cluster's brokers.
   */
  brokerAt(remote: string): number | null {
    const i = remote.lastIndexOf(':');
    if (i < 0) return null;
    return this.byLocalEnd.get(endpoint(remote.slice(0, i), Number(remote.slice(i + 1)))) ?? null;
  }
}
