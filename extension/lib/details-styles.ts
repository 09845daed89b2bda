/**
 * Styles of the details block (lib/result-details.ts). Pixel units only: inside a page, `rem`
 * follows the page's root font size. Colours are fixed (a light card) and `color-scheme: light`
 * is explicit, so neither the page's dark mode nor its styles change how MailPing looks.
 */
export const DETAILS_CSS = `
.mp-details { font: 400 13px/18px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2328; text-align: left; letter-spacing: 0; word-spacing: 0; text-transform: none; white-space: normal; }
.mp-head { display: flex; align-items: center; gap: 6px; margin: 0 0 4px 0; }
.mp-title { font-weight: 600; font-size: 14px; line-height: 18px; }
.mp-address { font: 500 12px/16px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #57606a;
  margin: 0 0 6px 0; word-break: break-all; }
.mp-details p { margin: 0 0 6px 0; padding: 0; font-size: 13px; line-height: 18px; }
.mp-label { color: #57606a; }
.mp-code { font: 400 12px/16px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa;
  border: 1px solid #d0d7de; border-radius: 4px; padding: 1px 4px; word-break: break-word; color: #1f2328; }
.mp-when, .mp-flags { color: #57606a; font-size: 12px; }
.mp-details button { all: unset; box-sizing: border-box; cursor: pointer; font: 500 13px/18px system-ui, -apple-system,
  "Segoe UI", Roboto, sans-serif; border-radius: 6px; padding: 4px 10px; margin: 2px 6px 0 0; }
.mp-details button:focus-visible { outline: 2px solid #0969da; outline-offset: 1px; }
.mp-suggestion { display: block; background: #fff8c5; border: 1px solid #d4a72c !important; color: #1f2328;
  width: 100%; text-align: left; margin: 2px 0 6px 0 !important; }
.mp-suggestion:hover { background: #fae17d; }
.mp-actions { display: flex; flex-wrap: wrap; }
.mp-action { background: #f6f8fa; border: 1px solid #d0d7de !important; color: #1f2328; }
.mp-action:hover { background: #eaeef2; }
.mp-spin { transform-origin: 8px 8px; animation: mp-spin 0.9s linear infinite; }
@keyframes mp-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .mp-spin { animation: none; } }
`;
