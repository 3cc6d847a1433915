import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Bytes of the file's start that go into its key. */
const HEAD_BYTES = 64 * 1024;
/** A line longer than this is rejected unread, so one huge line cannot take the memory (a live batch is at most 5 MB). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** Which file an import is about: a resumed run must find the same key, a changed file gets another. */
export interface FileIdentity {
  /** sha256 of the absolute path, the size and the first 64 KiB. */
  key: string;
  path: string;
  size: number;
  gzip: boolean;
}

export function identifyFile(path: string): FileIdentity {
  const absolute = resolve(path);
  const fd = openSync(absolute, 'r');
  try {
    const { size } = fstatSync(fd);
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const read = readSync(fd, head, 0, head.length, 0);
    const key = createHash('sha256').update(`${absolute}\0${size}\0`).update(head.subarray(0, read)).digest('hex');
    // gzip's magic number, whatever the file is called.
    return { key, path: absolute, size, gzip: read >= 2 && head[0] === 0x1f && head[1] === 0x8b };
  } finally {
    closeSync(fd);
  }
}

/** One non-blank line: its number (1-based, as an editor counts), the byte offset just past it, its text. */
export interface FileLine {
  line: number;
  end: number;
  text: string;
  /** Set instead of `text` for a line over MAX_LINE_BYTES. */
  tooLong?: true;
}

/** Where reading starts: a line boundary a checkpoint recorded (bytes after gunzip for a .gz). */
export interface FilePosition {
  offset: number;
  line: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The file's lines from `from` on, a batch per block read, in constant memory.
 * Lines are split on the bytes rather than with node:readline, because a
 * resumed run seeks to a byte offset and readline does not say which line
 * break (`\n` or `\r\n`) ended a line, so offsets counted from its lines drift.
 * A plain file is read from the offset; a gzip stream cannot seek, so it is
 * inflated from its start and the bytes before the offset skipped.
 * `rawBytes()` is how much of the file itself has been read (for progress).
 */
export function readFileLines(identity: FileIdentity, from: FilePosition): { batches: AsyncGenerator<FileLine[]>; rawBytes: () => number } {
  const raw = createReadStream(identity.path, { start: identity.gzip ? 0 : from.offset, highWaterMark: 1024 * 1024 });
  const input: Readable = identity.gzip ? raw.pipe(createGunzip({ chunkSize: 256 * 1024 })) : raw;
  const rawStart = identity.gzip ? 0 : from.offset;
  return { batches: splitLines(input, from, identity.gzip ? from.offset : 0), rawBytes: () => rawStart + raw.bytesRead };
}

async function* splitLines(input: Readable, from: FilePosition, skipBytes: number): AsyncGenerator<FileLine[]> {
  let toSkip = skipBytes;
  let line = from.line;
  // Absolute offset of the first byte of `pending` (the start of the line being read).
  let lineStart = from.offset;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;

  const finishLine = (batch: FileLine[], tail: Buffer, end: number): void => {
    line++;
    if (tooLong) {
      batch.push({ line, end, text: '', tooLong: true });
      tooLong = false;
    } else {
      const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
      const stop = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
      const text = bytes.toString('utf8', 0, stop);
      if (text.trim() !== '') batch.push({ line, end, text });
    }
    pending = [];
    pendingBytes = 0;
    lineStart = end;
  };

  for await (const chunk of input as AsyncIterable<Buffer>) {
    let data = chunk;
    if (toSkip > 0) {
      if (data.length <= toSkip) {
        toSkip -= data.length;
        continue;
      }
      data = data.subarray(toSkip);
      toSkip = 0;
    }
    const batch: FileLine[] = [];
    let start = 0;
    for (;;) {
      const newline = data.indexOf(NEWLINE, start);
      if (newline < 0) break;
      finishLine(batch, data.subarray(start, newline), lineStart + pendingBytes + (newline - start) + 1);
      start = newline + 1;
    }
    const rest = data.length - start;
    if (rest > 0) {
      if (tooLong || pendingBytes + rest > MAX_LINE_BYTES) {
        // Counted, not kept: the line is rejected whole when its end comes.
        tooLong = true;
        pending = [];
      } else pending.push(Buffer.from(data.subarray(start)));
      pendingBytes += rest;
    }
    if (batch.length > 0) yield batch;
  }
  if (pendingBytes > 0) {
    const batch: FileLine[] = [];
    finishLine(batch, Buffer.alloc(0), lineStart + pendingBytes);
    if (batch.length > 0) yield batch;
  }
}
