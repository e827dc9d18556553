'use strict';
// Figures and tables of the benchmark reports.

/** A number with `digits` decimals and thousands separators; '-' for none (null, undefined, NaN). */
function fmt(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '-';
  return Number(n).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The p-th percentile (nearest rank) of sorted values; null when there are none. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Count, p50, p99 and max of the finite values. */
function dist(values) {
  const v = values.filter((x) => x !== null && x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  return { n: v.length, p50: percentile(v, 50), p99: percentile(v, 99), max: v.length ? v[v.length - 1] : null };
}

/** a / b with two decimals, '-' where either is missing or not finite, or b is not positive. */
function ratio(a, b) {
  return a !== null && b !== null && a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? fmt(a / b, 2) : '-';
}

/**
 * A table comparing two sides (either may be missing) column by column, with their ratio: line(label, a, b, r)
 * prints a row of texts; row(label, get, digits) one of figures, get(side) on each side ('-' where it throws:
 * a phase that did not run).
 */
function comparisonTable(left, right, { labelWidth, width }) {
  const line = (label, a, b, r) => console.log(label.padEnd(labelWidth) + String(a).padStart(width) + String(b).padStart(width) + String(r).padStart(width));
  const value = (get, side) => {
    try {
      return side ? get(side) : null;
    } catch {
      return null;
    }
  };
  const row = (label, get, digits = 0) => {
    const a = value(get, left);
    const b = value(get, right);
    line(label, fmt(a, digits), fmt(b, digits), ratio(a, b));
  };
  return { line, row };
}

/**
 * Prints timing counters (name -> calls, ms, items) under `title`, by name: calls, items, items per call, ms per
 * call, total ms, and calls per unit of the work measured (`units` of them; column `per`, `perDigits` decimals).
 * `untimed(name)`: counters that count items only (their ms columns are left blank).
 */
function printCounters(title, counters, units, { nameWidth, countWidth, per, perWidth, perDigits, untimed = () => false }) {
  console.log(title);
  console.log(
    `    ${'what'.padEnd(nameWidth)}${'calls'.padStart(countWidth)}${'items'.padStart(countWidth)}${'items/call'.padStart(11)}` +
      `${'ms/call'.padStart(9)}${'total ms'.padStart(10)}${per.padStart(perWidth)}`,
  );
  for (const [name, c] of Object.entries(counters).sort((a, b) => a[0].localeCompare(b[0]))) {
    const timed = !untimed(name);
    console.log(
      `    ${name.padEnd(nameWidth)}${fmt(c.calls).padStart(countWidth)}${fmt(c.items).padStart(countWidth)}${fmt(c.calls ? c.items / c.calls : 0, 1).padStart(11)}` +
        `${(timed ? fmt(c.ms / c.calls, 2) : '').padStart(9)}${(timed ? fmt(c.ms) : '').padStart(10)}${fmt(c.calls / units, perDigits).padStart(perWidth)}`,
    );
  }
}

module.exports = { fmt, percentile, dist, comparisonTable, printCounters };
