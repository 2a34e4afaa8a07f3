// The page's style sheet and its one small script (constants of this file; no adapter data in either).
// The script only adds: copy buttons, hover that lights a schedule step's call bar, j/k to step through
// findings, details opened for printing, wide timelines scrolled to their culprit. Everything else works without it.

export const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--partial:#9a6700;--ink:#1f2328;--dim:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--link:#0969da}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
code,pre,.cmd code,svg text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
a{color:var(--link)}
.layout{display:grid;grid-template-columns:220px minmax(0,1fr);min-height:100vh}
nav{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;padding:12px;border-right:1px solid var(--line);background:var(--bg);font-size:13px}
nav ul{list-style:none;margin:0 0 10px;padding:0}nav li{margin:2px 0}nav ul ul{padding-left:12px}
main{padding:16px 24px 48px;min-width:0}
h1{font-size:18px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:22px 0 6px}h4{font-size:14px;margin:16px 0 6px}
.verdict{border:1px solid var(--line);border-left:8px solid var(--fail);border-radius:6px;padding:10px 14px;margin:8px 0 16px;background:#fff}
.verdict.pass{border-left-color:var(--pass)}.verdict.partial{border-left-color:var(--partial)}
.verdict .word{font-size:22px;font-weight:700;margin-right:10px}.verdict.fail .word{color:var(--fail)}.verdict.pass .word{color:var(--pass)}.verdict.partial .word{color:var(--partial)}
.verdict dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:8px 0 0}.verdict dt{color:var(--dim)}.verdict dd{margin:0;min-width:0}
.badge{display:inline-block;font-size:11px;font-weight:700;padding:1px 6px;border-radius:10px;color:#fff;background:var(--fail);vertical-align:middle}
.badge.pass{background:var(--pass)}.badge.partial{background:var(--partial)}
.chip{display:inline-block;margin:0 6px 0 0}
.cmd{display:flex;gap:6px;align-items:flex-start;margin:4px 0}
.cmd code{flex:1;min-width:0;display:block;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:4px 6px;white-space:pre-wrap;overflow-wrap:anywhere;user-select:all}
button.copy{font:inherit;font-size:12px;padding:3px 8px;border:1px solid var(--line);border-radius:4px;background:#fff;cursor:pointer}
.bad{color:var(--fail)}.good{color:var(--pass)}.warn{color:var(--partial)}.dim,.note{color:var(--dim)}.note{font-size:13px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}caption{text-align:left;color:var(--dim);padding:2px 0;white-space:nowrap}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}th{background:var(--bg);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.bad-row td:first-child{border-left:3px solid var(--fail)}tr.preempt{background:#fff1e5}tr.hi{background:#ddf4ff}
ol.findings{padding-left:22px}li.finding{margin:0 0 12px;padding:6px 8px;border-radius:4px}li.finding.current{outline:2px solid var(--link)}
li.finding .kind{font-weight:700;color:var(--fail)}li.finding .msg{margin:2px 0;white-space:pre-wrap;overflow-wrap:anywhere}
.fields{font-size:12px;color:var(--dim)}
details{margin:4px 0}summary{cursor:pointer}
ol.stack{margin:2px 0;padding-left:22px;font-size:12px}ol.stack .user{font-weight:600}
figure{margin:10px 0}figcaption{font-size:13px;margin-bottom:4px}
.pair{display:flex;flex-wrap:wrap;gap:0 24px;align-items:flex-start}.pair>figure{flex:0 1 auto;width:min-content;min-width:0;max-width:100%}
.scroll{overflow-x:auto;border:1px solid var(--line);border-radius:4px;background:#fff}
svg text{font-size:11px;fill:var(--ink)}svg .tick{fill:var(--dim);font-size:10px}
svg .grid{stroke:#eaeef2}svg .lane{stroke:#eaeef2;stroke-dasharray:2 3}svg .cut{stroke:#bf8700;stroke-dasharray:5 3}
.tl .call rect{stroke-width:1}.tl .ok rect{fill:#ddf4ff;stroke:#54aeff}.tl .err rect{fill:#ffebe9;stroke:#cf222e}.tl .err text{fill:#82071e}
.tl .hung rect{fill:#fff8c5;stroke:#bf8700;stroke-dasharray:4 2}.tl .culprit rect{stroke:#a40e26;stroke-width:2.5}
.tl .culprit-mark{fill:#cf222e}.tl .preempt-mark{fill:#e16f24}.tl .marked rect{stroke:#e16f24}
.tl .hi rect,.tl g:target rect{stroke:#0969da;stroke-width:3}
.legend{font-size:12px;color:var(--dim)}.sw{display:inline-block;width:14px;height:10px;border:1px solid;margin:0 3px 0 10px;vertical-align:middle}
.sw.ok{background:#ddf4ff;border-color:#54aeff}.sw.err{background:#ffebe9;border-color:#cf222e}.sw.hung{background:#fff8c5;border-color:#bf8700;border-style:dashed}.sw.culprit{border:2px solid #a40e26}.sw.marked{background:#e16f24;border-color:#e16f24}
.hbar .track{fill:#eaeef2}.hbar .fill-ok{fill:#54aeff}.hbar .fill-bad{fill:#cf222e}.hbar .fill-warn{fill:#bf8700}
.chart svg{border:1px solid var(--line);border-radius:4px;background:#fff}.charts{display:flex;flex-wrap:wrap;gap:0 24px}
.chart .ideal{stroke:var(--dim);stroke-dasharray:6 4;stroke-width:1.5}.chart .measured{fill:none;stroke:#0969da;stroke-width:2}.chart circle{fill:#0969da}
.chart .range{stroke:#8c959f;stroke-width:2}.chart .pctl{stroke:#0969da;stroke-width:2}.chart .max{stroke:#cf222e;stroke-width:1.5}
dl.env{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px}dl.env dt{color:var(--dim)}dl.env dd{margin:0}
.adapter{margin-bottom:40px}
@media (max-width:800px){.layout{display:block}nav{position:static;max-height:none;border-right:0;border-bottom:1px solid var(--line)}}
@media print{.layout{display:block}nav,button.copy{display:none}main{padding:0}.scroll{overflow:visible;border:0}svg{max-width:100%;height:auto}
section,figure,table{break-inside:avoid}h2,h3{break-after:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`;

export const SCRIPT = `(() => {
  const d = document;
  for (const b of d.querySelectorAll('button.copy')) {
    b.hidden = false;
    b.addEventListener('click', () => {
      const el = d.getElementById(b.getAttribute('data-copy'));
      if (!el) return;
      const done = (ok) => { b.textContent = ok ? 'copied' : 'selected: press Ctrl+C'; setTimeout(() => { b.textContent = 'copy'; }, 1500); };
      const select = () => {
        const r = d.createRange(); r.selectNodeContents(el);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r);
        let ok = false; try { ok = d.execCommand('copy'); } catch (e) { ok = false; }
        done(ok);
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(el.textContent).then(() => done(true), select);
      else select();
    });
  }
  const light = (e, on) => {
    const el = e.target instanceof Element ? e.target.closest('[data-k]') : null;
    const scope = el && el.closest('[data-scope]');
    if (!scope) return;
    for (const x of scope.querySelectorAll('[data-k="' + CSS.escape(el.getAttribute('data-k')) + '"]')) x.classList.toggle('hi', on);
  };
  d.addEventListener('mouseover', (e) => light(e, true));
  d.addEventListener('mouseout', (e) => light(e, false));
  for (const x of d.querySelectorAll('.keys')) x.hidden = false;
  const findings = Array.from(d.querySelectorAll('li.finding'));
  let at = -1;
  d.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || (e.key !== 'j' && e.key !== 'k') || !findings.length) return;
    at = Math.max(0, Math.min(findings.length - 1, at + (e.key === 'j' ? 1 : -1)));
    findings.forEach((f, i) => f.classList.toggle('current', i === at));
    findings[at].scrollIntoView({ block: 'center' });
  });
  addEventListener('beforeprint', () => { for (const x of d.querySelectorAll('details')) x.open = true; });
  // A wide timeline opens scrolled to the call no order explains.
  for (const s of d.querySelectorAll('.scroll')) {
    const c = s.querySelector('.culprit');
    if (c) s.scrollLeft = Math.max(0, c.getBoundingClientRect().left - s.getBoundingClientRect().left - 120);
  }
})();`;
