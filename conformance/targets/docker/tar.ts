/**
 * A minimal ustar writer for the files a docker: target uploads before its
 * container starts (hive puts /genesis.json and /chain.rlp there through the
 * archive API, which takes a tar). Only regular files and directories with
 * short names: that is all the client contract needs. Pure: bytes in, bytes out.
 */

export interface TarEntry {
  /** Relative path inside the archive, '/'-separated, at most 100 bytes. */
  name: string;
  /** File contents; absent for a directory. */
  data?: Uint8Array;
  /** Permission bits; default 0o644 for files, 0o755 for directories. */
  mode?: number;
}

export class TarError extends Error {
  override readonly name = 'TarError';
}

const BLOCK = 512;
const encoder = new TextEncoder();

function writeString(header: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = encoder.encode(text);
  if (bytes.length > length) throw new TarError(`"${text}" does not fit a ${length}-byte tar field`);
  header.set(bytes, offset);
}

/** Octal, zero-padded to length-1 digits, NUL-terminated (the portable form every tar reads). */
function writeOctal(header: Uint8Array, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new TarError(`${value} does not fit a ${length}-byte tar field`);
  writeString(header, offset, length, `${digits.padStart(length - 1, '0')}\0`);
}

function headerFor(entry: TarEntry, mtime: number): Uint8Array {
  const isDir = entry.data === undefined;
  const name = isDir && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  if (name === '' || name.startsWith('/') || name.split('/').includes('..')) throw new TarError(`bad tar entry name "${entry.name}"`);
  if (encoder.encode(name).length > 100) throw new TarError(`tar entry name "${name}" is longer than 100 bytes`);
  const header = new Uint8Array(BLOCK);
  writeString(header, 0, 100, name);
  writeOctal(header, 100, 8, entry.mode ?? (isDir ? 0o755 : 0o644));
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, entry.data?.length ?? 0);
  writeOctal(header, 136, 12, mtime);
  header.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  header[156] = isDir ? 0x35 : 0x30; // '5' directory, '0' file
  writeString(header, 257, 6, 'ustar\0');
  writeString(header, 263, 2, '00');
  writeString(header, 265, 32, 'root');
  writeString(header, 297, 32, 'root');
  const sum = header.reduce((a, b) => a + b, 0);
  writeString(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

/** The archive: each entry's header and data padded to 512 bytes, then two zero blocks. */
export function buildTar(entries: readonly TarEntry[], mtime = Math.floor(Date.now() / 1000)): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const entry of entries) {
    const header = headerFor(entry, mtime);
    parts.push(header);
    size += BLOCK;
    if (entry.data && entry.data.length > 0) {
      const padded = Math.ceil(entry.data.length / BLOCK) * BLOCK;
      parts.push(entry.data);
      if (padded > entry.data.length) parts.push(new Uint8Array(padded - entry.data.length));
      size += padded;
    }
  }
  parts.push(new Uint8Array(2 * BLOCK));
  size += 2 * BLOCK;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
