// A time-series chart on uPlot, sized to its box and redrawn when its data changes.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from './lib.mjs';

const COLOURS = ['#2563eb', '#dc2626', '#d97706', '#059669', '#7c3aed'];

/** `times` in seconds; `series` is [{ label, values }]. */
export function Chart({ title, times, series, height = 180, testid }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const el = box.current;
    const data = [times, ...series.map((s) => s.values)];
    const width = Math.max(240, el.clientWidth || 480);
    if (plot.current && plot.current.series.length === series.length + 1) {
      plot.current.setData(data);
      return;
    }
    plot.current?.destroy();
    plot.current = new uPlot(
      {
        width,
        height,
        legend: { show: true },
        scales: { x: { time: true } },
        axes: [{}, { size: 56 }],
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true }))],
      },
      data,
      el,
    );
  }, [times, series]);
  useEffect(() => () => plot.current?.destroy(), []);
  return html`<figure class="chart" data-testid=${testid}>
    <figcaption>${title}</figcaption>
    <div ref=${box} class="chart-box"></div>
    ${times.length < 2 ? html`<p class="muted small">the chart fills in as the console reads the mesh (every few seconds)</p>` : null}
  </figure>`;
}
