/** The status page's stylesheet (inside its <style>). */
export const STATUS_PAGE_CSS = `  :root { --fg: #1d232a; --muted: #5f6b77; --line: #dde3e9; --bg: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --accent: #0969da; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { background: #24292f; color: #fff; padding: 14px 24px; display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header .id { font-family: ui-monospace, monospace; font-size: 12px; color: #c9d1d9; word-break: break-all; }
  header .live { margin-left: auto; font-size: 12px; color: #8b949e; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; padding: 16px 24px 32px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .mono { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
  .empty { color: var(--muted); font-style: italic; }
  .badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; }
  .yes { background: #dafbe1; color: var(--ok); }
  .no { background: #ffebe9; color: var(--bad); }
  .warn { background: #fff8c5; color: var(--warn); }
  .relayed { background: #fff8c5; color: var(--warn); }
  .direct, .hole-punched { background: #ddf4ff; color: var(--accent); }
  .ready { font-size: 20px; font-weight: 700; display: flex; align-items: center; gap: 10px; }
  .kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 13px; }
  .kv dt { color: var(--muted); }
  .kv dd { margin: 0; font-variant-numeric: tabular-nums; }
  progress { width: 100%; height: 10px; }
  .bar { position: relative; height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; min-width: 120px; }
  .bar > span { position: absolute; inset: 0 auto 0 0; background: var(--accent); transition: width .3s; }
  .error { color: var(--bad); }
  .mf { border-top: 1px solid var(--line); padding: 8px 0; }
  .mf:first-child { border-top: 0; }
  .mf h3 { font-size: 15px; margin: 0 0 4px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
  .mf h4 { font-size: 12px; color: var(--muted); margin: 8px 0 2px; font-weight: 600; }
  tr.done td { color: var(--ok); }
  tr.failed td { color: var(--bad); }
`
