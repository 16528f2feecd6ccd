/**
 * The console's stylesheet. It lives in a .ts module, as a string, so that `tsc -b` ships it in dist
 * with no copy step. Plain CSS: system fonts (nothing is fetched), colours that keep 4.5:1 contrast
 * in light and dark schemes, a visible focus ring, and tables that turn into labelled cards on a
 * narrow window instead of scrolling sideways.
 */
export const CONSOLE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #ffffff;
  --fg: #1b1f24;
  --muted: #57606a;
  --line: #d0d7de;
  --panel: #f6f8fa;
  --accent: #0a58ca;
  --focus: #0a58ca;
  --ok-bg: #dafbe1; --ok-fg: #116329;
  --bad-bg: #ffebe9; --bad-fg: #a40e26;
  --wait-bg: #fff8c5; --wait-fg: #6a4a00;
  --run-bg: #ddf4ff; --run-fg: #0550ae;
  --off-bg: #eaeef2; --off-fg: #424a53;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
  font-size: 100%;
  line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22;
    --accent: #58a6ff; --focus: #79c0ff;
    --ok-bg: #0f2e1a; --ok-fg: #56d364;
    --bad-bg: #3b1219; --bad-fg: #ff9492;
    --wait-bg: #3a2c00; --wait-fg: #e3b341;
    --run-bg: #0c2d4f; --run-fg: #79c0ff;
    --off-bg: #21262d; --off-fg: #b1bac4;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 0.875em; }
.skip { position: absolute; left: -999px; top: 0; padding: 0.5rem 1rem; background: var(--bg); z-index: 10; }
.skip:focus { left: 0.5rem; top: 0.5rem; }
.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
header.top {
  display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 1.5rem;
  padding: 0.75rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--panel);
}
header.top h1 { font-size: 1.25rem; margin: 0; }
header.top p { margin: 0; color: var(--muted); overflow-wrap: anywhere; }
#live { margin-left: auto; font-weight: 600; }
#live[data-state='live'] { color: var(--ok-fg); }
#live[data-state='down'] { color: var(--bad-fg); }
main { padding: 1rem 1.25rem 3rem; max-width: 90rem; margin: 0 auto; }
.columns { display: grid; grid-template-columns: minmax(16rem, 24rem) minmax(0, 1fr); gap: 1.5rem; align-items: start; }
section > h2 { font-size: 1.1rem; margin: 1rem 0 0.5rem; }
section h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
.panel { border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem; background: var(--panel); }
.field { margin: 0 0 0.75rem; }
.field label { display: block; font-weight: 600; }
.field .req { font-weight: 400; color: var(--muted); }
.field input, .field select, .field textarea {
  display: block; width: 100%; font: inherit; padding: 0.35rem 0.5rem; margin-top: 0.15rem;
  color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 4px;
}
.field textarea { min-height: 4.5rem; font-family: ui-monospace, 'DejaVu Sans Mono', monospace; }
.field [aria-invalid='true'] { border: 2px solid var(--bad-fg); }
.hint { margin: 0.15rem 0 0; color: var(--muted); font-size: 0.875rem; }
.error { margin: 0.15rem 0 0; color: var(--bad-fg); font-weight: 600; font-size: 0.9rem; }
.error:empty, .form-error:empty { display: none; }
.form-error { border-left: 4px solid var(--bad-fg); padding: 0.4rem 0.6rem; margin: 0.5rem 0; background: var(--bad-bg); color: var(--bad-fg); }
.result { margin: 0.5rem 0 0; overflow-wrap: anywhere; }
.result:empty { display: none; }
#notice { margin: 0 0 0.5rem; padding: 0.4rem 0.6rem; border-left: 4px solid var(--accent); background: var(--panel); }
#notice[data-kind='error'] { border-left-color: var(--bad-fg); background: var(--bad-bg); color: var(--bad-fg); font-weight: 600; }
button {
  font: inherit; cursor: pointer; padding: 0.3rem 0.75rem; border-radius: 4px;
  border: 1px solid var(--line); background: var(--bg); color: var(--fg);
}
button:hover { border-color: var(--accent); }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
@media (prefers-color-scheme: dark) { button.primary { color: #0d1117; } }
button.link { border: 0; background: none; padding: 0; color: var(--accent); text-align: left; text-decoration: underline; white-space: normal; }
.actions { display: flex; flex-wrap: wrap; gap: 0.4rem; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; margin: 0 0 0.5rem; }
.toolbar label { font-weight: 600; }
.toolbar select { font: inherit; padding: 0.2rem 0.4rem; }
table { width: 100%; border-collapse: collapse; font-size: 0.925rem; }
caption { text-align: left; color: var(--muted); padding: 0 0 0.3rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td code { overflow-wrap: anywhere; }
button, .badge, time { white-space: nowrap; }
.count { color: var(--muted); font-weight: 400; }
td.num { font-variant-numeric: tabular-nums; }
.sub { display: block; color: var(--muted); font-size: 0.85rem; }
.empty { color: var(--muted); font-style: italic; }
.badge {
  display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600;
  white-space: nowrap; background: var(--off-bg); color: var(--off-fg);
}
.badge[data-status='succeeded'], .badge[data-status='aps:ready'] { background: var(--ok-bg); color: var(--ok-fg); }
.badge[data-status='failed'] { background: var(--bad-bg); color: var(--bad-fg); }
.badge[data-status='scheduled'], .badge[data-status^='aps:provisioning'], .badge[data-status='aps:configuring'],
.badge[data-status='aps:unprovisioning'] { background: var(--wait-bg); color: var(--wait-fg); }
.badge[data-status='running'] { background: var(--run-bg); color: var(--run-fg); }
dialog {
  width: min(56rem, calc(100vw - 1rem)); max-height: calc(100vh - 2rem); padding: 0;
  border: 1px solid var(--line); border-radius: 8px; background: var(--bg); color: var(--fg);
}
dialog::backdrop { background: rgb(0 0 0 / 45%); }
dialog .dialog-head {
  display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: 0.75rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel);
}
dialog .dialog-head h2 { margin: 0; font-size: 1.05rem; }
dialog .dialog-body { padding: 0.5rem 1rem 1rem; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.2rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
pre.out { background: var(--panel); border: 1px solid var(--line); padding: 0.5rem; overflow: auto; max-height: 16rem; white-space: pre-wrap; }
form.operation + form.operation { border-top: 1px solid var(--line); padding-top: 0.5rem; margin-top: 0.75rem; }
@media (max-width: 60rem) {
  .columns { grid-template-columns: minmax(0, 1fr); }
}
/* A narrow window: every table row becomes a card whose cells carry their column's name. */
@media (max-width: 44rem) {
  header.top, main { padding-left: 0.75rem; padding-right: 0.75rem; }
  #live { margin-left: 0; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 0.6rem; padding: 0.25rem 0.5rem; }
  table.cards td { border: 0; padding: 0.2rem 0; display: grid; grid-template-columns: 7.5rem minmax(0, 1fr); gap: 0.5rem; }
  table.cards td::before { content: attr(data-label); font-weight: 600; color: var(--muted); }
  dl.facts { grid-template-columns: minmax(0, 1fr); }
  dl.facts dd { margin-bottom: 0.3rem; }
}
`;
