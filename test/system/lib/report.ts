/**
 * The tier's summary: a framework × check table of pass/fail, the measured
 * profile tightness and the notes each run produced, printed to stdout when a
 * test file finishes. Checks record themselves through `check()`, so a failed
 * assertion both fails the test and shows up in the table.
 */
import { readFileSync } from 'node:fs';
import { CACHE_DIR } from './paths.js';

export type Status = 'pass' | 'FAIL' | 'skip';

interface Cell {
  status: Status;
  detail: string;
}

export class Report {
  private readonly cells = new Map<string, Map<string, Cell>>();
  private readonly columns: string[] = [];
  private readonly notes: string[] = [];
  private readonly metrics: string[] = [];
  private readonly startedAt = Date.now();

  constructor(readonly title: string) {}

  set(row: string, column: string, status: Status, detail = ''): void {
    if (!this.columns.includes(column)) this.columns.push(column);
    if (!this.cells.has(row)) this.cells.set(row, new Map());
    this.cells.get(row)!.set(column, { status, detail });
  }

  note(line: string): void {
    if (!this.notes.includes(line)) this.notes.push(line);
  }

  metric(line: string): void {
    this.metrics.push(line);
  }

  /** Run `fn` as check `column` of `row`: pass when it returns, FAIL when it throws (rethrown). */
  async check<T>(row: string, column: string, fn: () => Promise<T>): Promise<T> {
    try {
      const value = await fn();
      this.set(row, column, 'pass');
      return value;
    } catch (err) {
      this.set(row, column, 'FAIL', (err as Error).message.split('\n')[0] ?? '');
      throw err;
    }
  }

  failures(): number {
    let n = 0;
    for (const row of this.cells.values()) for (const c of row.values()) if (c.status === 'FAIL') n++;
    return n;
  }

  render(): string {
    const rows = [...this.cells.keys()];
    const head = ['check', ...rows];
    const body = this.columns.map((col) => [col, ...rows.map((r) => this.cells.get(r)?.get(col)?.status ?? '-')]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    const out = [
      '',
      `== ${this.title} ==`,
      line(head),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...body.map(line),
    ];
    const failed: string[] = [];
    for (const [row, cols] of this.cells) {
      for (const [col, cell] of cols) if (cell.status !== 'pass' && cell.detail) failed.push(`  ${cell.status} ${row} / ${col}: ${cell.detail}`);
    }
    if (failed.length) out.push('', 'not passed:', ...failed);
    if (this.metrics.length) out.push('', ...this.metrics);
    if (this.notes.length) out.push('', 'notes:', ...this.notes.map((n) => `  - ${n}`));
    out.push('', `${this.title}: ${this.failures()} failed check(s); ${((Date.now() - this.startedAt) / 1000).toFixed(1)} s for this file`);
    const tier = tierElapsed();
    if (tier) out.push(tier);
    return out.join('\n');
  }

  print(): void {
    console.log(this.render());
  }
}

/**
 * Wall time since `scripts/system/setup.sh` started (it writes the stamp), so
 * the last file's summary shows the whole tier including setup.
 */
export function tierElapsed(): string | null {
  try {
    const started = Number(readFileSync(`${CACHE_DIR}/tier-started-at`, 'utf8').trim());
    const elapsed = Date.now() / 1000 - started;
    if (!Number.isFinite(elapsed) || elapsed < 0 || elapsed > 3 * 3600) return null;
    return `system tier wall time so far (setup + tests): ${elapsed.toFixed(0)} s`;
  } catch {
    return null;
  }
}
