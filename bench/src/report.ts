/** The bench's outputs: one table on stdout, `results/latest.json`, and `results/latest.svg`. */
import fs from 'node:fs';
import path from 'node:path';
import type { PeerComparison } from './peers.js';

export interface Row {
  id: string;
  what: string;
  /** What was measured, in words and units. */
  result: string;
  /** The limit this row is divided by (or "absolute" when the target is a plain number). */
  dividedBy: string;
  /** The number compared with the target: a ratio, or ms / s / MiB. */
  score: number;
  target: string;
  /** Score ÷ target, oriented so that ≥ 1 means the target is met (drives the chart). */
  margin: number;
  met: boolean;
  details?: Record<string, unknown>;
}

export interface Report {
  mode: 'full' | 'quick';
  startedAt: string;
  seconds: number;
  machine: {
    cores: number;
    memoryGiB: number;
    node: string;
    postgres: string;
    threadPool: string;
    /** 1, 5 and 15-minute load averages at the end: how much the neighbours were running. */
    loadAverage: number[];
  };
  users: number;
  rows: Row[];
  /** `--peers`: the same workloads against better-auth (peers.ts). */
  peers?: PeerComparison;
}

/** A row whose target is "score ≥ target" (higher is better). */
export function atLeast(score: number, target: number): { margin: number; met: boolean } {
  return { margin: score / target, met: score >= target };
}

/** A row whose target is "score ≤ target" or "< target" (lower is better). */
export function atMost(score: number, target: number): { margin: number; met: boolean } {
  return { margin: target / Math.max(score, 1e-9), met: score <= target };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function table(report: Report): string {
  const header = ['#', 'what', 'result', 'divided by', 'score', 'target', 'met'];
  const lines = report.rows.map((r) => [
    r.id,
    r.what,
    r.result,
    r.dividedBy,
    Number.isFinite(r.score) ? r.score.toFixed(r.score < 10 ? 2 : 0) : '—',
    r.target,
    r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i] ?? 0)).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);

/**
 * A horizontal bar per row: its margin to the target on a log scale, with the
 * target at the middle line. Right of the line is better than the target.
 */
export function svgChart(report: Report): string {
  const rowHeight = 26;
  const left = 330;
  const width = 860;
  const barArea = width - left - 40;
  const top = 56;
  const height = top + report.rows.length * rowHeight + 40;
  const center = left + barArea / 2;
  // log10(margin) in [-1, 1] spans the bar area: 0.1× target at the left edge, 10× at the right.
  const x = (margin: number) => center + (Math.max(-1, Math.min(1, Math.log10(margin))) * barArea) / 2;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">Roster bench (${report.mode}, ${report.users.toLocaleString('en')} users) — ${escapeXml(report.startedAt)}</text>`,
    `<text x="12" y="40" fill="#555">${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, Node ${escapeXml(report.machine.node)}, PostgreSQL ${escapeXml(report.machine.postgres)}. Bar: result vs target (log scale); right of the line meets it.</text>`,
  ];
  report.rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const end = x(row.margin);
    const color = row.met ? '#2e7d32' : '#c62828';
    parts.push(
      `<text x="12" y="${y + 16}">${escapeXml(`${row.id} ${row.what}`)}</text>`,
      `<rect x="${Math.min(center, end)}" y="${y + 4}" width="${Math.max(1, Math.abs(end - center))}" height="16" fill="${color}" opacity="0.8"/>`,
      `<text x="${Math.max(center, end) + 4}" y="${y + 16}" fill="#333">${escapeXml(`${Number.isFinite(row.score) ? row.score.toFixed(row.score < 10 ? 2 : 0) : '—'} (${row.target})`)}</text>`,
    );
  });
  const bottom = top + report.rows.length * rowHeight;
  parts.push(
    `<line x1="${center}" y1="${top - 4}" x2="${center}" y2="${bottom + 4}" stroke="#000" stroke-dasharray="4 3"/>`,
    `<text x="${left}" y="${bottom + 20}" fill="#555">0.1× target</text>`,
    `<text x="${center - 20}" y="${bottom + 20}" fill="#555">target</text>`,
    `<text x="${left + barArea - 50}" y="${bottom + 20}" fill="#555">10× target</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

/** A full run writes latest.* (committed); a quick run quick.* (ignored by git), so CI never overwrites the record. */
export function writeReport(dir: string, report: Report): { json: string; svg: string } {
  fs.mkdirSync(dir, { recursive: true });
  const name = report.mode === 'full' ? 'latest' : 'quick';
  const json = path.join(dir, `${name}.json`);
  const svg = path.join(dir, `${name}.svg`);
  // Written to a temporary name first so an interrupted run never leaves half a file.
  fs.writeFileSync(`${json}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  fs.renameSync(`${json}.tmp`, json);
  fs.writeFileSync(`${svg}.tmp`, svgChart(report));
  fs.renameSync(`${svg}.tmp`, svg);
  return { json, svg };
}
