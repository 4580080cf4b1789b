/**
 * The on-disk `SegmentFile` and `LogDirectory`: synchronous node:fs calls on file descriptors.
 *
 * Durability, as with Kafka's defaults (`flush.messages` and `flush.ms` unset): every append
 * reaches the kernel through write(2) before `append` returns, so once the broker acknowledges a
 * produce request, killing the process (even with SIGKILL) loses nothing; a power loss or kernel
 * crash may lose what was not yet fsynced, which is why Kafka relies on replication rather than
 * fsync. `flush()` fsyncs (the log calls it when a segment is rolled, so only the active segment
 * can have a torn tail after a crash), and `close()` flushes first. Small metadata files
 * (checkpoints, `partition.metadata`) are replaced atomically: temporary file, fsync, rename,
 * fsync of the directory.
 *
 * Reads use pread (`fs.readSync` with a position) into a fresh Buffer, so they never move a file
 * position shared with appends. Files are opened lazily and can be released, so a broker with
 * many partitions keeps file descriptors only for active segments and segments being read.
 *
 * @module
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ReadBuffers } from './read-buffers.js';
import type { LogDirectory, SegmentFile } from './storage.js';

/** Name of the data-directory-level file that holds the log start offset of every partition. */
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** fsyncs a directory so that created, renamed and removed entries survive a crash. */
function fsyncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A segment file on disk (`.log`, `.index` or `.timeindex`). */
export class DiskSegmentFile implements SegmentFile {
  private fd: number | null = null;
  private _size: number;
  /** Written or truncated since the last fsync. */
  private dirty = false;
  /** @inheritDoc */
  readonly modifiedAt: number | null = null;

  /** Opens `path`, creating it empty if it does not exist. */
  constructor(readonly path: string) {
    try {
      const stat = statSync(path);
      this._size = stat.size;
      this.modifiedAt = stat.mtimeMs;
    } catch (err) {
      if (!isMissing(err)) throw err;
      this.fd = openSync(path, 'a+');
      this._size = 0;
    }
  }

  /** @inheritDoc */
  get size(): number {
    return this._size;
  }

  private handle(): number {
    // 'a+': writes always land at the end (O_APPEND) and positional reads work alongside.
    if (this.fd === null) this.fd = openSync(this.path, 'a+');
    return this.fd;
  }

  /** @inheritDoc */
  append(data: Uint8Array): void {
    const fd = this.handle();
    let written = 0;
    try {
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    } catch (err) {
      // A partial write (ENOSPC, EIO) must not leave half a batch behind the size we report.
      if (written > 0) ftruncateSync(fd, this._size);
      throw err;
    }
    this._size += data.length;
    this.dirty = true;
  }

  /** @inheritDoc */
  read(position: number, length: number, into?: ReadBuffers): Buffer {
    const n = Math.max(0, Math.min(length, this._size - position));
    const buf = into && n > 0 ? into.alloc(n) : Buffer.allocUnsafe(n);
    const fd = this.handle();
    let got = 0;
    while (got < n) {
      const r = readSync(fd, buf, got, n - got, position + got);
      if (r === 0) break;
      got += r;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  /** @inheritDoc */
  truncate(size: number): void {
    if (size >= this._size) return;
    ftruncateSync(this.handle(), size);
    this._size = size;
    this.dirty = true;
  }

  /** @inheritDoc */
  flush(): void {
    if (!this.dirty) return;
    fsyncSync(this.handle());
    this.dirty = false;
  }

  /** @inheritDoc */
  release(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  /** @inheritDoc */
  close(): void {
    this.flush();
    this.release();
  }

  /** @inheritDoc */
  delete(): void {
    this.release();
    rmSync(this.path, { force: true });
    this._size = 0;
    this.dirty = false;
  }
}

/** Parses Kafka's checkpoint format: version line `0`, a count line, then one entry per line. */
function parseCheckpoint(text: string, file: string): string[][] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '0') throw new Error(`${file}: unsupported checkpoint version '${lines[0]}'`);
  const count = Number(lines[1]);
  const entries = lines.slice(2).map((l) => l.split(' '));
  if (!Number.isInteger(count) || count !== entries.length) {
    throw new Error(`${file}: expected ${lines[1]} entries, found ${entries.length}`);
  }
  return entries;
}

/** Formats entries in Kafka's checkpoint format (see {@link parseCheckpoint}). */
export function formatCheckpoint(entries: readonly (readonly (string | number)[])[]): string {
  return `0\n${entries.length}\n${entries.map((e) => `${e.join(' ')}\n`).join('')}`;
}

/**
 * A partition directory `<dataDir>/<topic>-<partition>/` on disk. The log start offset is kept
 * where Kafka keeps it, in `<dataDir>/log-start-offset-checkpoint` (entries
 * `<topic> <partition> <offset>`), rewritten whenever it changes instead of every
 * `log.flush.start.offset.checkpoint.interval.ms`.
 */
export class DiskLogDirectory implements LogDirectory {
  private readonly topic: string;
  private readonly partition: number;

  /** Opens (creating if needed) the directory `path`, whose name must be `<topic>-<partition>`. */
  constructor(readonly path: string) {
    const match = /^(.+)-(\d+)$/.exec(basename(path));
    if (!match) throw new Error(`log directory ${path} is not named <topic>-<partition>`);
    this.topic = match[1];
    this.partition = Number(match[2]);
    mkdirSync(path, { recursive: true });
  }

  /** @inheritDoc */
  list(): string[] {
    return readdirSync(this.path);
  }

  /** @inheritDoc */
  open(name: string): SegmentFile {
    return new DiskSegmentFile(join(this.path, name));
  }

  /** @inheritDoc */
  readText(name: string): string | null {
    return readTextFile(join(this.path, name));
  }

  /** @inheritDoc */
  writeText(name: string, text: string): void {
    writeTextAtomically(this.path, name, text);
  }

  /** @inheritDoc */
  remove(name: string): void {
    rmSync(join(this.path, name), { force: true });
  }

  /** @inheritDoc */
  rename(from: string, to: string): void {
    renameSync(join(this.path, from), join(this.path, to));
  }

  /** @inheritDoc */
  readLogStartOffset(): number | null {
    const file = join(dirname(this.path), LOG_START_OFFSET_CHECKPOINT);
    const text = readTextFile(file);
    if (text === null) return null;
    const entry = parseCheckpoint(text, file).find(
      (e) => e[0] === this.topic && Number(e[1]) === this.partition,
    );
    return entry ? Number(entry[2]) : null;
  }

  /** @inheritDoc */
  writeLogStartOffset(offset: number | null): void {
    const dataDir = dirname(this.path);
    const file = join(dataDir, LOG_START_OFFSET_CHECKPOINT);
    const text = readTextFile(file);
    // Read-modify-write of a file shared by the partitions of this data directory: safe because
    // all log I/O is synchronous on one thread, so no other partition can interleave.
    const all = text === null ? [] : parseCheckpoint(text, file);
    const mine = (e: string[]) => e[0] === this.topic && Number(e[1]) === this.partition;
    const current = all.find(mine);
    if (offset === null ? current === undefined : current !== undefined && Number(current[2]) === offset)
      return;
    const others = all.filter((e) => !mine(e));
    const entries =
      offset === null ? others : [...others, [this.topic, String(this.partition), String(offset)]];
    writeTextAtomically(dataDir, LOG_START_OFFSET_CHECKPOINT, formatCheckpoint(entries));
  }

  /** @inheritDoc */
  destroy(): void {
    this.writeLogStartOffset(null);
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** One `topic partition offset` entry of a broker-wide offset checkpoint. */
export interface OffsetCheckpointEntry {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * Reads a broker-wide offset checkpoint of `dataDir` (Kafka's `OffsetCheckpointFile`, such as
 * `replication-offset-checkpoint`): offsets by `topic-partition`, or null when there is none.
 */
export function readOffsetCheckpoint(dataDir: string, name: string): Map<string, number> | null {
  const file = join(dataDir, name);
  const text = readTextFile(file);
  if (text === null) return null;
  return new Map(parseCheckpoint(text, file).map((e) => [`${e[0]}-${e[1]}`, Number(e[2])]));
}

/** Replaces a broker-wide offset checkpoint of `dataDir` atomically. */
export function writeOffsetCheckpoint(
  dataDir: string,
  name: string,
  entries: readonly OffsetCheckpointEntry[],
): void {
  const text = formatCheckpoint(entries.map((e) => [e.topic, e.partition, e.offset]));
  writeTextAtomically(dataDir, name, text);
}

function readTextFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Kafka's `CheckpointFile` write: temporary file, fsync, atomic rename, fsync of the directory. */
function writeTextAtomically(dir: string, name: string, text: string): void {
  const target = join(dir, name);
  const tmp = `${target}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
  fsyncDirectory(dir);
}

/** fsyncs the directory of a log, so that segment files created or deleted since survive a crash. */
export function flushDirectory(path: string): void {
  fsyncDirectory(path);
}
