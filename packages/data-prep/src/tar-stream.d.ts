// The part of tar-stream 3 (which ships no types) that the IMDb loader and its test use.
declare module 'tar-stream' {
  import type { Readable, Writable } from 'node:stream';
  export interface Headers { name: string; type?: string | null; size?: number | null; mode?: number | null; mtime?: Date | null }
  export interface Extract extends Writable {
    on(event: 'entry', listener: (header: Headers, stream: Readable, next: (error?: Error) => void) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
  export interface Pack extends Readable {
    entry(header: Headers, buffer?: string | Uint8Array, callback?: (error?: Error | null) => void): Writable;
    finalize(): void;
  }
  export function extract(): Extract;
  export function pack(): Pack;
}
