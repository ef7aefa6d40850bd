// A time-series chart (uPlot: small, fast, canvas). The figures are also in a table for screen
// readers and keyboard users, since a canvas says nothing to them.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
}

const COLOURS = ['#1d4ed8', '#047857', '#b91c1c', '#92400e', '#6d28d9', '#0e7490', '#be185d'];

export function Chart({ title, times, series, unit = '' }: { title: string; times: number[]; series: Series[]; unit?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height: 200,
        // uPlot draws points only where they are far enough apart (a day of minutes is too dense), and a line needs two
        // values: so a minute with data between idle ones (latency is null where nothing was sent; counts are 0) would
        // show as nothing or a hairline. Such lone values always get a point.
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            points: { size: 6, filter: (u: uPlot, seriesIdx: number, show: boolean) => (show ? null : lonePoints(u.data[seriesIdx] ?? [])) },
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : `${round(v)}${unit}`),
          })),
        ],
        // The y axis as wide as its longest label ("300 ms" did not fit uPlot's fixed 50 px).
        axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map((v) => `${round(v)}${unit}`), size: (_u: uPlot, values: string[] | null) => 24 + 7 * Math.max(3, ...(values ?? []).map((v) => v.length)) }],
        scales: { x: { time: true } },
        legend: { live: true },
      },
      [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(300, el.clientWidth), height: 200 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [times, series, unit]);
  const totals = series.map((s) => s.values.reduce<number>((sum, v) => sum + (v ?? 0), 0));
  return (
    <figure class="chart" aria-labelledby={`chart-${slug(title)}`}>
      <h2 id={`chart-${slug(title)}`}>{title}</h2>
      <div ref={box} aria-hidden="true" />
      <details>
        <summary>Figures</summary>
        <table>
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Series</th>
              <th scope="col">{unit ? 'Latest' : 'Total'}</th>
            </tr>
          </thead>
          <tbody>
            {series.map((s, i) => (
              <tr key={s.label}>
                <td>{s.label}</td>
                <td>{unit ? `${round([...s.values].reverse().find((v) => v != null) ?? 0)}${unit}` : round(totals[i] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** Indices of values with nothing either side (null, zero or the edge): a line cannot show them, a point does. */
export function lonePoints(values: ArrayLike<number | null | undefined>): number[] | null {
  const idle = (v: number | null | undefined) => v == null || v === 0;
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (!idle(values[i]) && idle(values[i - 1]) && idle(values[i + 1])) out.push(i);
  return out.length > 0 ? out : null;
}

const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100);
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
