// Energy-carbon centre: the energy flow (Sankey, tce), the month's bill by time-of-use
// period, and the budget burn-down with the year-end forecast and its backtest band.
(function () {
  'use strict';
  const d = zp.data('centre-data');
  if (!d) return;
  const L = d.labels;
  const flow = d.flow && zp.chart('centre-flow');
  if (flow) {
    const names = {};
    d.flow.nodes.forEach(n => { names[n.id] = n.name; });
    flow.setOption({
      color: zp.palette,
      tooltip: { trigger: 'item', valueFormatter: v => zp.fmt(v, 3) + ' tce' },
      series: [{
        type: 'sankey',
        animation: false,
        emphasis: { focus: 'adjacency' },
        nodeAlign: 'left',
        label: { formatter: p => names[p.name] || p.name, width: 160, overflow: 'truncate' },
        data: d.flow.nodes.map(n => ({ name: n.id })),
        links: d.flow.links,
        lineStyle: { color: 'gradient', curveness: 0.5 },
      }],
    });
  }
  const bill = d.bill && zp.chart('centre-bill');
  if (bill) {
    bill.setOption({
      color: zp.palette,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 70, right: 70, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: d.bill.periods },
      yAxis: [{ type: 'value', name: L.kwh }, { type: 'value', name: L.yuan, splitLine: { show: false } }],
      series: [
        { name: L.kwh, type: 'bar', data: d.bill.kwh },
        { name: L.yuan, type: 'bar', yAxisIndex: 1, data: d.bill.yuan },
      ],
    });
  }
  const budget = d.budget && zp.chart('centre-budget');
  if (budget) {
    const b = d.budget;
    const series = [
      { name: L.budget, type: 'line', data: b.budget, lineStyle: { type: 'dashed' } },
      { name: L.actual, type: 'line', data: b.actual, connectNulls: false },
    ];
    if (b.forecast !== null && b.closed > 0) {
      // From the last closed month's actual to the forecast year-end total.
      const line = b.months.map(() => null);
      line[b.closed - 1] = b.actual[b.closed - 1];
      line[11] = b.forecast;
      series.push({ name: L.forecast, type: 'line', data: line, connectNulls: true, lineStyle: { type: 'dotted' } });
      if (b.band !== null) {
        const lo = b.months.map(() => null), hi = b.months.map(() => null);
        lo[11] = b.forecast - b.band;
        hi[11] = b.forecast + b.band;
        series.push({ name: L.band, type: 'scatter', symbol: 'rect', symbolSize: [6, 2], data: lo });
        series.push({ name: L.band, type: 'scatter', symbol: 'rect', symbolSize: [6, 2], data: hi });
      }
    }
    budget.setOption({
      color: zp.palette,
      tooltip: { trigger: 'axis', valueFormatter: v => v === null ? '' : zp.fmt(v, 1) + ' tce' },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: b.months },
      yAxis: { type: 'value', name: 'tce' },
      series: series,
    });
  }
})();
