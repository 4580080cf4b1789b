/**
 * The broker applies `connections.max.idle.ms` (Kafka's default 600000): a connection that sends
 * nothing, or stops half-way through a size prefix, is closed once it has been idle that long,
 * while one in use stays open. Time is the broker's manual clock: nothing here waits for it.
 */
import { ManualClock, startBroker } from '@tskafka/broker';
import { Api } from '@tskafka/protocol/internals';
import { afterEach, describe, expect, it } from 'vitest';
import { WireClient } from './interop/wire-client.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const IDLE_MS = 10_000;

async function broker(config: Record<string, number> = { 'connections.max.idle.ms': IDLE_MS }) {
  const clock = new ManualClock();
  const b = await startBroker({ clock, logLevel: 'silent', config });
  cleanups.push(() => b.close());
  const connect = async () => {
    const wire = await WireClient.connect(b.bootstrapServers[0]);
    cleanups.push(() => wire.close());
    // The broker has accepted it (and started its idle time) once it answers.
    wire.send(Api.ApiVersions, 3, { clientSoftwareName: 'idle-test', clientSoftwareVersion: '1' });
    expect(await wire.nextFrame()).not.toBeNull();
    return wire;
  };
  return { clock, connect };
}

/** Whether the broker still answers on `wire` (which counts as activity). */
async function answers(wire: WireClient): Promise<boolean> {
  wire.send(Api.ApiVersions, 3, { clientSoftwareName: 'idle-test', clientSoftwareVersion: '1' });
  return (await wire.nextFrame()) !== null;
}

describe('connections.max.idle.ms', () => {
  it('closes a connection idle that long, and not before', async () => {
    const { clock, connect } = await broker();
    const wire = await connect();
    clock.advance(IDLE_MS - 1);
    expect(await answers(wire)).toBe(true);
    // The broker looks every tenth of the limit, as Kafka's selector on its next poll.
    clock.advance(IDLE_MS * 1.1);
    await wire.closed;
    expect(wire.isOpen).toBe(false);
  });

  it('closes a connection that sent half a size prefix', async () => {
    const { clock, connect } = await broker();
    const wire = await connect();
    wire.write(Buffer.from([0, 0]));
    clock.advance(IDLE_MS * 1.5);
    await wire.closed;
    expect(wire.isOpen).toBe(false);
  });

  it('keeps a connection in use open', async () => {
    const { clock, connect } = await broker();
    const wire = await connect();
    for (let i = 0; i < 5; i++) {
      clock.advance(IDLE_MS / 2);
      expect(await answers(wire)).toBe(true);
    }
  });

  it('is Kafka’s 600000 by default, and -1 never closes', async () => {
    const byDefault = await broker({});
    const quiet = await byDefault.connect();
    byDefault.clock.advance(599_000);
    expect(await answers(quiet)).toBe(true);
    byDefault.clock.advance(661_000);
    await quiet.closed;
    const never = await broker({ 'connections.max.idle.ms': -1 });
    const kept = await never.connect();
    never.clock.advance(7 * 24 * 3600_000);
    expect(await answers(kept)).toBe(true);
  });
});
