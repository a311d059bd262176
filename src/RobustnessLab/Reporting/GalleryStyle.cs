namespace RobustnessLab.Reporting;

/// <summary>The gallery's inline stylesheet and script: no CDN, no web font, so a zipped run folder opens anywhere.</summary>
public static class GalleryStyle
{
    public const string Css = """
:root { --ink: #1d1d1f; --muted: #5f6368; --rule: #1d1d1f; --faint: #e4e4e4; --paper: #fdfdfb; --flag: #b00020; --accent: #0b4f8a; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink); font: 16px/1.5 Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, "DejaVu Serif", serif; }
header, main, footer { max-width: 1120px; margin: 0 auto; padding: 0 28px; }
header { padding-top: 36px; border-bottom: 1px solid var(--faint); padding-bottom: 14px; }
.kicker { font-variant: small-caps; letter-spacing: .06em; color: var(--muted); margin: 0; }
h1 { font-size: 2.1rem; margin: .1em 0 .2em; font-weight: 600; }
h2 { font-size: 1.35rem; margin: 2.2em 0 .5em; border-bottom: 1px solid var(--faint); padding-bottom: .2em; font-weight: 600; }
h3 { font-size: 1.1rem; margin: 1.6em 0 .4em; font-weight: 600; }
.meta { color: var(--muted); margin: .2em 0; }
nav ol { margin: .6em 0 0; padding-left: 1.3em; columns: 2; font-size: .95rem; }
a { color: var(--accent); }
code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .86rem; }
pre { background: #f4f4f1; padding: 12px 14px; overflow-x: auto; border-left: 3px solid var(--faint); }
.badge { display: inline-block; padding: 0 .5em; border-radius: 3px; font-size: .85rem; font-family: sans-serif; border: 1px solid currentColor; }
.status-complete { color: #1e6b2f; } .status-running, .status-interrupted { color: #8a5a00; } .status-failed { color: var(--flag); }
.banner { border: 1px solid #d9b44a; background: #fff8e1; padding: 8px 12px; margin: 18px 0; }
.banner.failed { border-color: var(--flag); background: #fdecee; color: var(--flag); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--faint); border-top: 3px solid var(--accent); background: #fff; padding: 10px 14px; }
.card .value { font-size: 1.8rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .label { font-size: .92rem; }
.card .note, .card .model { color: var(--muted); font-size: .82rem; }
.flags { list-style: none; padding: 0; }
.flags li { color: var(--flag); border-left: 4px solid var(--flag); background: #fdecee; padding: 6px 10px; margin: 6px 0; }
.flags li strong { text-transform: uppercase; font-size: .8rem; letter-spacing: .05em; margin-right: .5em; }
figure { margin: 16px 0 22px; }
figcaption { font-size: .92rem; color: #333; max-width: 72ch; }
figcaption b { font-weight: 600; }
figcaption .files { color: var(--muted); font-size: .85rem; white-space: nowrap; }
.figrow { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.figrow figure { margin: 0 0 12px; flex: 0 1 auto; min-width: 0; max-width: 100%; }
.figrow img { display: block; max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid var(--faint); background: #fff; }
.figrow img[src$=".svg"] { image-rendering: auto; }
.group-title { font-style: italic; color: var(--muted); margin: 12px 0 4px; }
svg.chart { width: 100%; max-width: 720px; height: auto; background: #fff; border: 1px solid var(--faint); }
svg.chart .grid { stroke: #ececec; } svg.chart .axis { stroke: #444; }
svg.chart text { font-family: inherit; fill: #222; } svg.chart .tick { font-size: 12px; } svg.chart .axis-label { font-size: 13px; }
svg.chart .chart-title { font-size: 14px; font-weight: 600; } svg.chart .legend { font-size: 12.5px; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 10px 0 20px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: .88rem; border-top: 2px solid var(--rule); border-bottom: 2px solid var(--rule); }
caption { caption-side: top; text-align: left; font-size: .92rem; padding-bottom: 6px; }
th, td { padding: 4px 7px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
/* Headers wrap between words, so a wide table (the attacks: 14 columns) fits the page instead of scrolling. */
thead th { border-bottom: 1px solid var(--rule); font-weight: 600; vertical-align: bottom; hyphens: manual; }
td.num, th.num { text-align: right; }
table.sortable thead th { cursor: pointer; }
table.sortable thead th::after { content: " \2195"; color: #aaa; font-size: .8em; }
table.sortable thead th[aria-sort=ascending]::after { content: " \2191"; color: var(--ink); }
table.sortable thead th[aria-sort=descending]::after { content: " \2193"; color: var(--ink); }
tbody tr:nth-child(even) { background: #f7f7f4; }
td.null { color: #999; }
td.fail { color: var(--flag); font-weight: 600; }
details { margin: 8px 0 14px; } summary { cursor: pointer; color: var(--muted); }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0; font-size: .92rem; }
dl.kv dt { color: var(--muted); } dl.kv dd { margin: 0; }
footer { color: var(--muted); font-size: .85rem; padding-top: 30px; padding-bottom: 40px; }
/* Phones: narrower margins; a table that still does not fit scrolls inside its own box, never the page. */
@media (max-width: 640px) { header, main, footer { padding-left: 14px; padding-right: 14px; } h1 { font-size: 1.6rem; } nav ol { columns: 1; } body { font-size: 15px; } dl.kv { grid-template-columns: 1fr; } dl.kv dd { margin-bottom: 4px; overflow-wrap: anywhere; } }
""";

    /// <summary>Click (or Enter on) a header to sort by it; numbers sort numerically through data-sort.</summary>
    public const string Script = """
(function () {
  function key(td) {
    if (!td) return '';
    var v = td.getAttribute('data-sort');
    if (v !== null && v !== '' && !isNaN(+v)) return +v;
    return td.textContent.trim();
  }
  function sortBy(th) {
    var table = th.closest('table'), body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      var c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll('table.sortable thead th').forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener('click', function () { sortBy(th); });
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); } });
  });
})();
""";
}
