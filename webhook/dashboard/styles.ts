// The dashboard's only stylesheet, inlined in the page (no network at runtime, no CDN).

export const STYLESHEET = `
:root {
  --bg: #f5f7fa; --card: #ffffff; --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --head: #0f1b2d;
  --strict: #1a7f37; --strict-bg: #dafbe1; --perm: #8a5a00; --perm-bg: #fff3c4; --dis: #b42318; --dis-bg: #ffe4e1;
  --plain: #57606a; --plain-bg: #eef1f4; --mixed: #6639ba; --mixed-bg: #f1e9ff; --bad: #cf222e; --warn: #9a6700;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; font-size: 12.5px; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
header.top { background: var(--head); color: #e6edf3; padding: 14px 28px; display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
header.top h1 { margin: 0; font-size: 19px; font-weight: 650; letter-spacing: .2px; }
header.top h1 span { color: #7ee2a8; }
header.top .meta { color: #9fb0c3; font-size: 12.5px; margin-left: auto; }
main { max-width: 1320px; margin: 0 auto; padding: 18px 28px 40px; }
.tiles { display: grid; grid-template-columns: repeat(5, minmax(150px, 1fr)); gap: 12px; margin-bottom: 14px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .5px; }
.tile .value { font-size: 24px; font-weight: 650; margin-top: 2px; white-space: nowrap; }
.tile .sub { color: var(--muted); font-size: 12.5px; }
.tile.bad { border-color: #f3b4b4; background: #fff6f6; } .tile.bad .value { color: var(--bad); }
.tile.warn .value { color: var(--warn); } .tile.good .value { color: var(--strict); }
.bar { height: 6px; background: var(--plain-bg); border-radius: 3px; overflow: hidden; margin-top: 6px; }
.bar > i { display: block; height: 100%; background: var(--strict); }
form.filters { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; margin-bottom: 16px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 3px; }
form.filters select, form.filters input { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; min-width: 150px; }
form.filters button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #1f883d; background: #1f883d; color: #fff; cursor: pointer; }
form.filters .current { margin-left: auto; color: var(--muted); font-size: 12.5px; align-self: center; }
section.ns { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 10px; margin-bottom: 16px; overflow: hidden; }
section.ns.strict { border-left-color: var(--strict); }
section.ns.violated { border-left-color: var(--bad); }
.ns-head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; padding: 12px 16px; border-bottom: 1px solid var(--line); }
.ns-head h2 { margin: 0 6px 0 0; font-size: 17px; }
.ns-head .meshed { margin-left: auto; display: flex; align-items: center; gap: 8px; color: var(--muted); font-size: 13px; }
.ns-head .meshed .bar { width: 120px; margin: 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.b-strict { color: var(--strict); background: var(--strict-bg); } .b-perm { color: var(--perm); background: var(--perm-bg); }
.b-dis { color: var(--dis); background: var(--dis-bg); } .b-none { color: var(--plain); background: var(--plain-bg); }
.b-bad { color: #fff; background: var(--bad); } .b-warn { color: var(--warn); background: #fff8c5; border-color: #eed888; }
.b-ok { color: var(--strict); background: var(--strict-bg); } .b-info { color: #0550ae; background: #ddf4ff; }
.ns-sub { padding: 8px 16px; color: var(--muted); font-size: 13px; border-bottom: 1px solid var(--line); background: #fbfcfd; }
.ns-sub b { color: var(--ink); font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .4px; padding: 7px 16px; border-bottom: 1px solid var(--line); background: #f6f8fa; }
td { padding: 8px 16px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
tr.workload td { background: #fff; }
td .kind { color: var(--muted); font-size: 12px; }
.chip { display: inline-block; margin: 1px 4px 1px 0; padding: 1px 7px; border-radius: 6px; font-size: 12px; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.m-STRICT { color: var(--strict); background: var(--strict-bg); } .m-PERMISSIVE { color: var(--perm); background: var(--perm-bg); }
.m-DISABLE { color: var(--dis); background: var(--dis-bg); } .m-plaintext { color: var(--plain); background: var(--plain-bg); border: 1px dashed #afb8c1; }
.m-mixed, .m-unknown { color: var(--mixed); background: var(--mixed-bg); } .m-drift { outline: 2px solid #d4a72c; outline-offset: -1px; }
.chip .port { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 500; margin-right: 4px; color: inherit; opacity: .85; }
.state-ok { color: var(--strict); font-weight: 600; } .state-violation { color: var(--bad); font-weight: 700; }
.state-stale, .state-restart { color: var(--warn); font-weight: 600; } .state-unmeshed { color: var(--plain); font-weight: 600; }
.state-rejected, .state-disconnected { color: var(--bad); font-weight: 700; }
tr.pods > td { padding: 0 16px 10px 34px; background: #fff; }
details > summary { cursor: pointer; color: var(--muted); font-size: 12.5px; padding: 2px 0 6px; }
table.pods { border: 1px solid #eaeef2; table-layout: fixed; }
table.pods td { overflow-wrap: anywhere; }
table.pods th { background: #fafbfc; padding: 5px 10px; font-size: 11px; }
table.pods td { padding: 6px 10px; font-size: 13px; }
.why { color: var(--muted); font-size: 12.5px; }
.drift { color: var(--warn); font-size: 12.5px; }
.port-line { margin: 1px 0; } .conn { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; color: var(--muted); white-space: nowrap; }
.plain-seen, .denied-seen { color: var(--bad); font-weight: 700; } .audit-seen { color: var(--warn); font-weight: 700; }
.authz { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; color: var(--muted); overflow-wrap: anywhere; } .nack { color: var(--bad); font-size: 12.5px; overflow-wrap: anywhere; }
.telemetry { color: var(--muted); font-size: 12.5px; margin: -4px 2px 12px; } .telemetry.partial { color: var(--warn); }
.rule { display: inline-block; white-space: nowrap; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; font-weight: 700; color: #fff; background: var(--bad); border-radius: 5px; padding: 0 6px; margin-right: 6px; }
.rule.advise { background: var(--warn); }
ul.violations { list-style: none; margin: 0; padding: 10px 16px 12px; border-top: 1px solid var(--line); background: #fff8f8; }
ul.violations li { padding: 4px 0; }
ul.violations .obj { font-weight: 600; } ul.violations .fix { color: var(--muted); }
.violations-title { padding: 10px 16px 0; font-weight: 650; color: var(--bad); background: #fff8f8; border-top: 1px solid var(--line); }
.empty { padding: 14px 16px; color: var(--muted); }
.notice { background: #fff8c5; border: 1px solid #eed888; border-radius: 10px; padding: 10px 14px; margin-bottom: 14px; }
.error { background: #ffebe9; border: 1px solid #ffb3ad; border-radius: 10px; padding: 14px 16px; }
footer { color: var(--muted); font-size: 12.5px; margin-top: 22px; display: flex; gap: 14px; flex-wrap: wrap; align-items: center; }
@media (max-width: 1000px) { .tiles { grid-template-columns: repeat(2, 1fr); } main { padding: 14px; } }
`;
