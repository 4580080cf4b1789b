/**
 * KafkaJS's `AssignerProtocol`: the bytes a KafkaJS assigner puts in JoinGroup (`MemberMetadata`)
 * and in SyncGroup (`MemberAssignment`), written and read exactly as KafkaJS 2.2.4 does (Kafka's
 * consumer protocol, version 0 layout: an int16 version, then topics, then user data).
 *
 * @module
 */

/** Encodes and decodes one KafkaJS protocol structure. */
export interface ISerializer<T> {
  /** The bytes for `value`. */
  encode(value: T): Buffer;
  /** The structure in `buffer`; null where KafkaJS returns null (an empty assignment). */
  decode(buffer: Buffer): T | null;
}

/** Partitions by topic, as KafkaJS's assigners hand them out: `{ 'topic-A': [0, 2] }`. */
export type Assignment = { [topic: string]: number[] };

/** What a member sends in JoinGroup. */
export type MemberMetadata = {
  /** The assigner's version. */
  version: number;
  /** The topics the member subscribes to. */
  topics: string[];
  /** Assigner-specific bytes. */
  userData: Buffer;
};

/** What the leader hands a member in SyncGroup. */
export type MemberAssignment = {
  /** The assigner's version. */
  version: number;
  /** The member's partitions by topic. */
  assignment: Assignment;
  /** Assigner-specific bytes. */
  userData: Buffer;
};

class Writer {
  private readonly parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  bytes(b: Buffer | null | undefined): this {
    if (b == null) return this.int32(-1);
    this.int32(b.length);
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  canReadInt16(): boolean {
    return this.buf.length - this.offset >= 2;
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  string(): string {
    const n = this.int16();
    const s = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return s;
  }
  bytes(): Buffer {
    const n = this.int32();
    // KafkaJS reads -1 as null; its types say Buffer, so an absent value reads as empty here.
    if (n < 0) return Buffer.alloc(0);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  array<T>(item: () => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  }
}

/** KafkaJS's `AssignerProtocol.MemberMetadata` and `AssignerProtocol.MemberAssignment`. */
export const AssignerProtocol: {
  /** JoinGroup member metadata. */
  MemberMetadata: ISerializer<MemberMetadata>;
  /** SyncGroup member assignment. */
  MemberAssignment: ISerializer<MemberAssignment>;
} = {
  MemberMetadata: {
    encode({ version, topics, userData = Buffer.alloc(0) }: MemberMetadata): Buffer {
      const w = new Writer().int16(version).int32(topics.length);
      for (const t of topics) w.string(t);
      return w.bytes(userData).done();
    },
    decode(buffer: Buffer): MemberMetadata {
      const r = new Reader(buffer);
      return { version: r.int16(), topics: r.array(() => r.string()), userData: r.bytes() };
    },
  },
  MemberAssignment: {
    encode({ version, assignment, userData = Buffer.alloc(0) }: MemberAssignment): Buffer {
      const topics = Object.keys(assignment);
      const w = new Writer().int16(version).int32(topics.length);
      for (const t of topics) {
        w.string(t).int32(assignment[t].length);
        for (const p of assignment[t]) w.int32(p);
      }
      return w.bytes(userData).done();
    },
    decode(buffer: Buffer): MemberAssignment | null {
      const r = new Reader(buffer);
      if (!r.canReadInt16()) return null;
      const version = r.int16();
      const assignment: Assignment = {};
      for (const { topic, partitions } of r.array(() => ({
        topic: r.string(),
        partitions: r.array(() => r.int32()),
      })))
        assignment[topic] = partitions;
      return { version, assignment, userData: r.bytes() };
    },
  },
};
