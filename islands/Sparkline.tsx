/** A tiny uPlot line chart of one series (CPU % or memory) over time. */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

/** Props of Sparkline. */
export interface SparklineProps {
  /** Unix seconds. */
  times: number[];
  values: number[];
  label: string;
  color: string;
}

/** Draws the series; redraws when the data changes. */
export default function Sparkline({ times, values, label, color }: SparklineProps) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || times.length < 2) return;
    const plot = new uPlot(
      {
        width: 140,
        height: 36,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max || 1] } },
        series: [{}, {
          label,
          stroke: color,
          width: 1.5,
          fill: `${color}33`,
          points: { show: false },
        }],
      },
      [times, values],
      el.current,
    );
    return () => plot.destroy();
  }, [times.join(","), values.join(",")]);
  return (
    <div class="sparkline" ref={el} aria-label={label} role="img">
      {times.length < 2 && <span class="muted">—</span>}
    </div>
  );
}
