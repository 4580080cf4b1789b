/**
 * How the broker reads an accepted socket: straight into the frame buffers through a socket that
 * takes over the accepted one's handle (Node's `onread`), or with 'data' events where the handle
 * offers no user buffers. Both deliver the same frames, pause when asked, and leave the server's
 * connection count right, so `server.close()` still completes.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { FrameReader } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { readingIntoFrames } from '../src/connection.js';

function frame(size: number, seed: number): Buffer {
  const f = Buffer.alloc(4 + size, seed & 0xff);
  f.writeInt32BE(size);
  for (let i = 4; i < f.length; i += 997) f[i] = i & 0xff;
  return f;
}

const frames = [10, 300_000, 0, 20_000, 5, 16 * 1024, 1_000_000, 77].map((s, i) => frame(s, i + 1));
const stream = Buffer.concat(frames);

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/** Accepts one connection, reads it with `readingIntoFrames`, and sends `stream` to it. */
async function receive(
  userBuffers: boolean,
  onFrame: (got: Buffer[]) => boolean = () => true,
): Promise<{ got: Buffer[]; socket: Socket; srv: Server }> {
  const got: Buffer[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((r) => {
    done = r;
  });
  let socket: Socket | null = null;
  const srv = createServer({ pauseOnConnect: true }, (accepted) => {
    if (!userBuffers) {
      const handle = (accepted as unknown as { _handle: Record<string, unknown> })._handle;
      handle.useUserBuffer = undefined;
    }
    const reader = new FrameReader((f) => {
      got.push(f);
      if (got.length === frames.length) done();
    });
    socket = readingIntoFrames(accepted, reader, (n) => {
      reader.read(n);
      return onFrame(got);
    });
  });
  server = srv;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  // Written in uneven pieces, so frames straddle the socket's reads.
  for (let at = 0; at < stream.length; at += 70_001) client.write(stream.subarray(at, at + 70_001));
  await Promise.race([all, new Promise((r) => setTimeout(r, 300))]);
  client.end();
  return { got, socket: socket as unknown as Socket, srv };
}

describe('reading an accepted socket', () => {
  for (const userBuffers of [true, false]) {
    it(`delivers every frame whole and in order (${userBuffers ? 'onread' : "'data' events"})`, async () => {
      const { got, socket, srv } = await receive(userBuffers);
      expect(got.map((f) => f.length)).toEqual(frames.map((f) => f.length - 4));
      expect(got.every((f, i) => f.equals(frames[i].subarray(4)))).toBe(true);
      // The server counts the connection once, on whichever socket reads it.
      const count = await new Promise<number>((r) => srv.getConnections((_e, n) => r(n)));
      expect(count).toBe(1);
      const closed = new Promise<void>((r) => srv.close(() => r()));
      server = null;
      socket.destroy();
      await closed;
    });
  }

  for (const userBuffers of [true, false]) {
    it(`stops reading when told to, and goes on with resume() (${userBuffers ? 'onread' : "'data' events"})`, async () => {
      // Asks for a pause once, when the first large frame is in.
      let paused = false;
      const { got, socket } = await receive(userBuffers, (g) => {
        if (paused || g.length < 2) return true;
        paused = true;
        return false;
      });
      const held = got.length;
      expect(held).toBeLessThan(frames.length);
      expect(socket.isPaused()).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(got.length).toBe(held);
      socket.resume();
      await new Promise((r) => setTimeout(r, 300));
      expect(got.every((f, i) => f.equals(frames[i].subarray(4)))).toBe(true);
      expect(got.length).toBe(frames.length);
      socket.destroy();
    });
  }

  it('takes the accepted handle over only where it offers user buffers', async () => {
    const withOnread = await receive(true);
    expect(withOnread.socket.listenerCount('data')).toBe(0);
    server?.close();
    withOnread.socket.destroy();
    const withData = await receive(false);
    expect(withData.socket.listenerCount('data')).toBe(1);
    withData.socket.destroy();
  });
});
