/** What the import has done so far, for the progress line. */
export interface ProgressFigures {
  /** Bytes of the file read (of the .gz itself for a gzip file). */
  rawBytes: number;
  ledgerRows: number;
  events: number;
  waiting: number;
}

export interface ImportProgress {
  update(figures: ProgressFigures): void;
  /** Clears the progress line before the summary is printed. */
  end(): void;
}

const number = (n: number): string => Math.round(n).toLocaleString('en-US');

const bytes = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} kB`;

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '…';
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
};

/**
 * A progress line on `stream` (stderr), rewritten at most once a second:
 * the share of the file read, ledger rows and their rate, events waiting for
 * a parent, and an ETA from the bytes read so far against the file's size.
 * Silent when the stream is not a terminal (a log, a pipe): the command's
 * summary is all it prints there.
 */
export function createProgress(stream: NodeJS.WriteStream, fileSize: number, now: () => number = () => performance.now()): ImportProgress {
  const started = now();
  let startBytes: number | undefined;
  let lastShown = started;
  let shown = false;
  return {
    update(figures: ProgressFigures): void {
      startBytes ??= figures.rawBytes;
      if (!stream.isTTY) return;
      const at = now();
      if (at - lastShown < 1000) return;
      lastShown = at;
      const seconds = (at - started) / 1000;
      const read = figures.rawBytes - startBytes;
      const eta = read > 0 ? ((fileSize - figures.rawBytes) / read) * seconds : Number.POSITIVE_INFINITY;
      const share = fileSize > 0 ? (100 * figures.rawBytes) / fileSize : 100;
      const parts = [
        `import: ${share.toFixed(1)}% of ${bytes(fileSize)}`,
        `${number(figures.events)} events`,
        `${number(figures.ledgerRows)} ledger rows (${number(figures.ledgerRows / Math.max(seconds, 0.001))}/s)`,
        ...(figures.waiting > 0 ? [`${number(figures.waiting)} waiting for a parent`] : []),
        `ETA ${figures.rawBytes >= fileSize ? 'finishing' : duration(eta)}`,
      ];
      stream.write(`\r\x1b[K${parts.join(' · ')}`);
      shown = true;
    },
    end(): void {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
