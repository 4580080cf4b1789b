// tskafka console: draws the charts (uPlot) from /api/series/... and sends the write forms as JSON
// with the token from the header field. No framework: the pages are rendered on the server.
(() => {
  const refreshMs = Number(document.body.dataset.refreshMs) || 10000;
  const palette = ['#1f6feb', '#e36209', '#2da44e', '#8250df'];

  async function drawChart(el) {
    const columns = (el.dataset.columns || '').split(',').filter(Boolean);
    let series;
    try {
      const res = await fetch(el.dataset.chart, { headers: { accept: 'application/json' } });
      series = await res.json();
    } catch (e) {
      el.textContent = `chart unavailable: ${e}`;
      return;
    }
    const data = [series.t, ...columns.map((c) => series.values[c] || [])];
    el.dataset.points = String(series.t.length);
    if (el._plot) {
      el._plot.setData(data);
      return;
    }
    el.textContent = '';
    const width = Math.max(300, el.clientWidth || 600);
    el._plot = new uPlot(
      {
        width,
        height: 220,
        series: [
          {},
          ...columns.map((c, i) => ({
            label: c,
            stroke: palette[i % palette.length],
            width: 2,
            spanGaps: true,
          })),
        ],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
      },
      data,
      el,
    );
    el.dataset.drawn = 'true';
  }

  function drawAll() {
    for (const el of document.querySelectorAll('[data-chart]')) drawChart(el);
  }

  function token() {
    const input = document.getElementById('auth-token');
    return input ? input.value : '';
  }

  function bodyOf(form) {
    const f = new FormData(form);
    const num = (name) => (f.get(name) === '' || f.get(name) === null ? undefined : Number(f.get(name)));
    switch (form.dataset.kind) {
      case 'create-topic':
        return {
          topic: f.get('topic'),
          partitions: num('partitions'),
          replicationFactor: num('replicationFactor'),
        };
      case 'alter-config':
        return { configs: { [f.get('name')]: f.get('delete') ? null : f.get('value') } };
      case 'delete-records':
        return { partition: num('partition'), offset: num('offset') };
      case 'reset-offsets': {
        const topics = String(f.get('topics') || '')
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        return {
          topics: topics.length ? topics : undefined,
          to: f.get('to'),
          value: num('value'),
          execute: Boolean(f.get('execute')),
        };
      }
      default:
        return Object.fromEntries(f.entries());
    }
  }

  function showResult(form, ok, value) {
    const out = form.querySelector('.result');
    out.classList.toggle('error', !ok);
    if (ok && value && Array.isArray(value.plan)) {
      const rows = value.plan.map((r) => `${r.topic}\t${r.partition}\t${r.current ?? '-'}\t${r.target}`);
      out.textContent = `${value.executed ? 'Executed' : 'Plan (not executed)'}\nTOPIC\tPARTITION\tCURRENT\tNEW\n${rows.join('\n')}`;
    } else out.textContent = ok ? JSON.stringify(value) : value.error || JSON.stringify(value);
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
    event.preventDefault();
    const res = await fetch(form.dataset.api, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
      body: JSON.stringify(bodyOf(form)),
    });
    showResult(form, res.ok, await res.json().catch(() => ({ error: res.statusText })));
  });

  document.addEventListener('DOMContentLoaded', () => {
    const input = document.getElementById('auth-token');
    if (input) {
      input.value = sessionStorage.getItem('tskafka-console-token') || '';
      input.addEventListener('change', () => sessionStorage.setItem('tskafka-console-token', input.value));
    }
    drawAll();
    setInterval(drawAll, refreshMs);
  });
})();
