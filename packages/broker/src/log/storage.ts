/**
 * The one seam between the log and where its bytes live. `SegmentFile` is an append-only file
 * (a segment's `.log`, `.index` or `.timeindex`); `LogDirectory` is a partition directory that
 * holds such files plus the small checkpoint files. Everything above (segments, indexes, lookup,
 * roll, retention, recovery) is written once against these interfaces; this module holds the
 * in-memory versions, `disk.ts` the on-disk ones.
 *
 * @module
 */
import type { ReadBuffers } from './read-buffers.js';

/** An append-only file of bytes. */
export interface SegmentFile {
  /** Current size in bytes. */
  readonly size: number;
  /** Last modification time (ms) when the file was opened, if the storage knows one. */
  readonly modifiedAt: number | null;
  /**
   * Appends `data` at the end. Once this returns, the bytes are readable by `read`. With `adopt`
   * the caller hands `data` over (nobody modifies it afterwards), so a file in memory may keep it
   * as it is rather than copy it.
   */
  append(data: Uint8Array, adopt?: boolean): void;
  /**
   * Reads `length` bytes at `position` (fewer at the end of the file). The result may be a view
   * of the file's own memory: callers must not modify it. Bytes copied out of the file go into
   * memory from `into` when given, else fresh memory.
   */
  read(position: number, length: number, into?: ReadBuffers): Buffer;
  /** Cuts the file to `size` bytes (no-op if it is not longer). */
  truncate(size: number): void;
  /** Makes appended bytes durable (fsync for disk files). */
  flush(): void;
  /** Releases OS resources (file descriptors) until the next operation, which reopens them. */
  release(): void;
  /** Flushes and releases the file. */
  close(): void;
  /** Removes the file. */
  delete(): void;
}

/** A partition directory: named segment files plus checkpoint text files. */
export interface LogDirectory {
  /** The directory on disk, or `null` for memory. */
  readonly path: string | null;
  /** Names of the files in the directory. */
  list(): string[];
  /** Opens `name`, creating it empty if missing. */
  open(name: string): SegmentFile;
  /** Reads a small text file, or `null` if it does not exist. */
  readText(name: string): string | null;
  /** Replaces a small text file atomically (write a temporary file, fsync, rename). */
  writeText(name: string, text: string): void;
  /** Removes a file if present (segment files are removed through `SegmentFile.delete`). */
  remove(name: string): void;
  /**
   * Renames file `from` to `to`, replacing `to` (rename(2)); `SegmentFile` objects opened under
   * either name must not be used afterwards (open `to` again).
   */
  rename(from: string, to: string): void;
  /** The log start offset checkpointed for this partition, or `null` if none. */
  readLogStartOffset(): number | null;
  /** Checkpoints the log start offset; `null` removes the entry (when the log is deleted). */
  writeLogStartOffset(offset: number | null): void;
  /** Removes the directory and everything in it. */
  destroy(): void;
}

/** Smallest chunk a memory file allocates; chunks double up to {@link MAX_CHUNK}. */
const MIN_CHUNK = 4096;
const MAX_CHUNK = 1 << 20;
/** Smallest append a memory file keeps as handed over; below it a copy costs less than a chunk. */
export const MIN_ADOPTED_APPEND = 4096;

interface Chunk {
  /** Position of the chunk's first byte in the file. */
  start: number;
  buf: Buffer;
  used: number;
  /** No more appends into this chunk: views handed out by `read` must never change. */
  sealed: boolean;
  /** The chunk is bytes a caller handed over (`append` with `adopt`), not one this file allocated. */
  adopted: boolean;
}

/**
 * A `SegmentFile` in memory: a list of chunks rather than one growing buffer, so a 1 GiB segment
 * is never copied to grow it. One `append` never straddles two chunks, so a batch (or a whole
 * produce request) stays contiguous and `read` of it is a zero-copy view. An adopted append of
 * {@link MIN_ADOPTED_APPEND} bytes or more becomes a chunk of its own, uncopied: the produce path
 * hands over the batch bytes of the request frame, which nothing else holds or writes, so they
 * are copied once in the broker (socket chunks joined into the frame) instead of twice.
 */
export class MemorySegmentFile implements SegmentFile {
  private chunks: Chunk[] = [];
  private _size = 0;
  readonly modifiedAt = null;

  /** @inheritDoc */
  get size(): number {
    return this._size;
  }

  /** @inheritDoc */
  append(data: Uint8Array, adopt = false): void {
    if (data.length === 0) return;
    let last = this.chunks[this.chunks.length - 1];
    if (adopt && data.length >= MIN_ADOPTED_APPEND) {
      // Order forbids filling the previous chunk later: it is sealed with whatever room it has.
      if (last) last.sealed = true;
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
      this.chunks.push({ start: this._size, buf, used: data.length, sealed: true, adopted: true });
      this._size += data.length;
      return;
    }
    if (!last || last.sealed || last.buf.length - last.used < data.length) {
      // Growth restarts after an adopted chunk, so small appends between adopted ones waste little.
      const grown = last && !last.adopted ? Math.min(MAX_CHUNK, last.buf.length * 2) : MIN_CHUNK;
      last = {
        start: this._size,
        buf: Buffer.allocUnsafe(Math.max(grown, data.length)),
        used: 0,
        sealed: false,
        adopted: false,
      };
      this.chunks.push(last);
    }
    last.buf.set(data, last.used);
    last.used += data.length;
    this._size += data.length;
  }

  /** @inheritDoc */
  read(position: number, length: number): Buffer {
    const end = Math.min(this._size, position + length);
    if (end <= position) return Buffer.alloc(0);
    let i = this.chunkIndex(position);
    const first = this.chunks[i];
    if (end <= first.start + first.used) {
      return first.buf.subarray(position - first.start, end - first.start);
    }
    const parts: Buffer[] = [];
    for (let at = position; at < end; i++) {
      const c = this.chunks[i];
      const to = Math.min(end, c.start + c.used);
      parts.push(c.buf.subarray(at - c.start, to - c.start));
      at = to;
    }
    return Buffer.concat(parts, end - position);
  }

  /** @inheritDoc */
  truncate(size: number): void {
    if (size >= this._size) return;
    const keep = size === 0 ? 0 : this.chunkIndex(size - 1) + 1;
    this.chunks.length = keep;
    const last = this.chunks[keep - 1];
    if (last) {
      last.used = size - last.start;
      // Earlier reads may hold views of the dropped bytes; new data goes to a fresh chunk.
      last.sealed = true;
    }
    this._size = size;
  }

  /** @inheritDoc */
  flush(): void {}

  /** @inheritDoc */
  release(): void {}

  /** @inheritDoc */
  close(): void {}

  /** @inheritDoc */
  delete(): void {
    this.chunks = [];
    this._size = 0;
  }

  /** Index of the chunk holding byte `position` (binary search over chunk starts). */
  private chunkIndex(position: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.chunks[mid].start <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** A `LogDirectory` in memory, for brokers started without a data directory. */
export class MemoryLogDirectory implements LogDirectory {
  readonly path = null;
  private readonly files = new Map<string, MemorySegmentFile>();
  private readonly texts = new Map<string, string>();
  private logStartOffset: number | null = null;

  /** @inheritDoc */
  list(): string[] {
    return [...this.files.keys(), ...this.texts.keys()];
  }

  /** @inheritDoc */
  open(name: string): SegmentFile {
    let file = this.files.get(name);
    if (!file) {
      file = new MemorySegmentFile();
      this.files.set(name, file);
      // Deleting through the file also unlists it, under whatever name it has by then, as
      // unlink does on disk.
      const remove = file.delete.bind(file);
      const opened = file;
      file.delete = () => {
        remove();
        for (const [n, f] of this.files) if (f === opened) this.files.delete(n);
      };
    }
    return file;
  }

  /** @inheritDoc */
  readText(name: string): string | null {
    return this.texts.get(name) ?? null;
  }

  /** @inheritDoc */
  writeText(name: string, text: string): void {
    this.texts.set(name, text);
  }

  /** @inheritDoc */
  remove(name: string): void {
    this.texts.delete(name);
    this.files.get(name)?.delete();
  }

  /** @inheritDoc */
  rename(from: string, to: string): void {
    const file = this.files.get(from);
    if (file === undefined) throw new Error(`cannot rename ${from}: no such file`);
    this.files.delete(from);
    this.files.set(to, file);
  }

  /** @inheritDoc */
  readLogStartOffset(): number | null {
    return this.logStartOffset;
  }

  /** @inheritDoc */
  writeLogStartOffset(offset: number | null): void {
    this.logStartOffset = offset;
  }

  /** @inheritDoc */
  destroy(): void {
    this.files.clear();
    this.texts.clear();
    this.logStartOffset = null;
  }
}
